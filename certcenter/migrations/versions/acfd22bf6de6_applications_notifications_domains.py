"""Applications and notifications their own domains: a notice names its subject (as the audit log does) instead of
pointing at an application; submitting an application locks the person's identity and freezes the qualification's
criteria, as flags on their own rows (the lower domains no longer look at applications)

Revision ID: acfd22bf6de6
Revises: efddfdff53ca
Create Date: 2026-11-29 06:37:58.629036

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'acfd22bf6de6'
down_revision = 'efddfdff53ca'
branch_labels = None
depends_on = None

# When a row's first application left the draft: the moment its lock or freeze would have been set.
FIRST_SUBMISSION = (
    "SELECT MIN(COALESCE(a.submitted_at, a.state_changed_at)) FROM applications a "
    "WHERE a.{column} = {table}.id AND a.state != 'draft'"
)


def upgrade():
    with op.batch_alter_table('candidate_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_locked_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE candidate_profiles SET identity_locked_at = ("
        + FIRST_SUBMISSION.format(column="candidate_id", table="candidate_profiles")
        + ")"
    )

    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criteria_frozen_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE qualifications SET criteria_frozen_at = ("
        + FIRST_SUBMISSION.format(column="qualification_id", table="qualifications")
        + ")"
    )

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE notifications SET subject_type = 'Application', subject_id = CAST(application_id AS VARCHAR(64)) "
        "WHERE application_id IS NOT NULL"
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_subject', ['subject_type', 'subject_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_notifications_application_id_applications'), type_='foreignkey')
        batch_op.drop_column('application_id')


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_id', sa.INTEGER(), nullable=True))
    op.execute(
        "UPDATE notifications SET application_id = CAST(subject_id AS INTEGER) WHERE subject_type = 'Application'"
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_notifications_application_id_applications'), 'applications', ['application_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_index('ix_notifications_subject')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_type')

    with op.batch_alter_table('qualifications', schema=None) as batch_op:
        batch_op.drop_column('criteria_frozen_at')

    with op.batch_alter_table('candidate_profiles', schema=None) as batch_op:
        batch_op.drop_column('identity_locked_at')
