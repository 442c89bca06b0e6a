"""appeals: an administrator releases a panel member (who can no longer sit, or who has not declared before any
vote), with the reason: the seat kept as "released", with who released him, when and why

Revision ID: 3b8d5e2f7a61
Revises: 92a8a80f3df6
Create Date: 2026-11-29 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import certcenter.core.models

# revision identifiers, used by Alembic.
revision = "3b8d5e2f7a61"
down_revision = "92a8a80f3df6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appeal_panel_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", certcenter.core.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("released_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("release_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appeal_panel_members_released_by_id_users"),
            "users",
            ["released_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("ck_appeal_panel_members_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_appeal_panel_members_status"), "status IN ('pending', 'active', 'conflict', 'released')"
        )


def downgrade():
    op.execute("UPDATE appeal_panel_members SET status = 'conflict' WHERE status = 'released'")
    with op.batch_alter_table("appeal_panel_members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_appeal_panel_members_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_appeal_panel_members_status"), "status IN ('pending', 'active', 'conflict')"
        )
        batch_op.drop_constraint(batch_op.f("fk_appeal_panel_members_released_by_id_users"), type_="foreignkey")
        batch_op.drop_column("release_reason")
        batch_op.drop_column("released_by_id")
        batch_op.drop_column("released_at")
