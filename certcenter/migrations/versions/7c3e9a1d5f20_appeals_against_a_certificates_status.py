"""appeals against a certificate's suspension or revocation: the status appealed against, its entry in the
certificate's history (one appeal per change), and the outcome "reinstated"

Revision ID: 7c3e9a1d5f20
Revises: 4e1f7a2c9b10
Create Date: 2026-11-29 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c3e9a1d5f20"
down_revision = "4e1f7a2c9b10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appealed_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("status_event_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_appeals_status_event_id"), ["status_event_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_appeals_status_event_id_audit_entries"),
            "audit_entries",
            ["status_event_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_appeals_outcome"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_appeals_outcome"),
            "outcome IS NULL OR outcome IN ('dismissed', 'panel_decision', 'new_round', 'reinstated')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_appeals_certificate_named"),
            "subject != 'certificate_status' OR certificate_id IS NOT NULL",
        )


def downgrade():
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_appeals_certificate_named"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_appeals_outcome"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_appeals_outcome"), "outcome IS NULL OR outcome IN ('dismissed', 'panel_decision', 'new_round')"
        )
        batch_op.drop_constraint(batch_op.f("fk_appeals_status_event_id_audit_entries"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_appeals_status_event_id"), type_="unique")
        batch_op.drop_column("status_event_id")
        batch_op.drop_column("appealed_status")
