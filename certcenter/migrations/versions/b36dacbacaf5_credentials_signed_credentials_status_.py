"""Credentials: signed credentials, status-list indexes and their counter, sharing, time-stamped signatures.
Certificates issued before get the status-list index id - 1 (unique, in issue order; gaps are harmless, an index is
never reused), and the counter continues after the largest.

Revision ID: b36dacbacaf5
Revises: e7c8bfeedb6c
Create Date: 2026-11-29 07:13:51.897490

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b36dacbacaf5'
down_revision = 'e7c8bfeedb6c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('status_list_counters',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_index', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_list_counters'))
    )
    op.create_table('signed_credentials',
    sa.Column('certificate_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key_id', sa.String(length=100), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('jwt', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_signed_credentials_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_signed_credentials'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timestamped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('credential_withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_certificates_status_changed_at'), ['status_changed_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_status_index'), ['status_index'])

    op.execute("UPDATE certificates SET status_index = id - 1")
    op.execute(
        "INSERT INTO status_list_counters (id, last_index) "
        "SELECT 1, COALESCE(MAX(status_index), -1) FROM certificates"
    )


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificates_status_index'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_certificates_status_changed_at'))
        batch_op.drop_column('credential_withdrawn_at')
        batch_op.drop_column('status_index')
        batch_op.drop_column('timestamped_at')

    op.drop_table('signed_credentials')
    op.drop_table('status_list_counters')
