"""assessment rounds: an application may be assessed again (an upheld appeal); every assignment, result, moderator,
final rating and decision carries its round, the existing ones round 1

Revision ID: 55116d668e02
Revises: cf721d3d1c4b
Create Date: 2026-11-29 13:28:21.987947

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '55116d668e02'
down_revision = 'cf721d3d1c4b'
branch_labels = None
depends_on = None


ROUND_TABLES = ('assessment_results', 'assignments', 'decisions', 'final_ratings', 'moderators')


def upgrade():
    # every existing row belongs to the one assessment there was: round 1 (the server default fills it)
    op.create_table('assessment_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reference', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('initial', 'appeal', 'renewal')", name=op.f('ck_assessment_rounds_kind')),
    sa.CheckConstraint('number >= 2', name=op.f('ck_assessment_rounds_number_after_first')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_assessment_rounds_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_assessment_rounds_opened_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_rounds')),
    sa.UniqueConstraint('application_id', 'number', name=op.f('uq_assessment_rounds_application_id_number'))
    )
    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_rounds_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_round', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_assessment_results_application_id_kind'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assessment_results_application_id_round_kind'), ['application_id', 'round', 'kind'])

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_assignments_application_id_assessor_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assignments_application_id_round_assessor_id'), ['application_id', 'round', 'assessor_id'])

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_decisions_application_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_decisions_application_id_round'), ['application_id', 'round'])

    with op.batch_alter_table('final_ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_final_ratings_application_id_criterion_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_final_ratings_application_id_round_criterion_key'), ['application_id', 'round', 'criterion_key'])

    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_moderators_application_id_user_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_moderators_application_id_round_user_id'), ['application_id', 'round', 'user_id'])



def downgrade():
    # Before this revision an application had one assessment: a later round's rows have nowhere to go. Refuse rather
    # than delete assessments (and decisions certificates rest on).
    connection = op.get_bind()
    for table in ROUND_TABLES:
        later = connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE round > 1")).scalar()
        if later:
            raise RuntimeError(
                f"{table} holds {later} row(s) of a second or later assessment round; "
                "this database cannot go back before assessment rounds"
            )
    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_moderators_application_id_round_user_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_moderators_application_id_user_id'), ['application_id', 'user_id'])
        batch_op.drop_column('round')

    with op.batch_alter_table('final_ratings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_final_ratings_application_id_round_criterion_key'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_final_ratings_application_id_criterion_key'), ['application_id', 'criterion_key'])
        batch_op.drop_column('round')

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_decisions_application_id_round'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_decisions_application_id'), ['application_id'])
        batch_op.drop_column('round')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_assignments_application_id_round_assessor_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assignments_application_id_assessor_id'), ['application_id', 'assessor_id'])
        batch_op.drop_column('round')

    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_assessment_results_application_id_round_kind'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assessment_results_application_id_kind'), ['application_id', 'kind'])
        batch_op.drop_column('round')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('current_round')

    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_rounds_application_id'))

    op.drop_table('assessment_rounds')
