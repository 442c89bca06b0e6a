"""appeals: each panel member's own vote (outcome, reasoning, answer), one per member, kept as cast; the votes of
appeals closed before by one member's outcome are recorded as that member's vote

Revision ID: 92a8a80f3df6
Revises: 7c3e9a1d5f20
Create Date: 2026-11-29 20:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

import certcenter.core.models

# revision identifiers, used by Alembic.
revision = "92a8a80f3df6"
down_revision = "7c3e9a1d5f20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appeal_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("cast_at", certcenter.core.models.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('dismissed', 'panel_decision', 'new_round', 'reinstated')",
            name=op.f("ck_appeal_votes_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_votes_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_appeal_votes_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_votes")),
        sa.UniqueConstraint("appeal_id", "user_id", name=op.f("uq_appeal_votes_appeal_id_user_id")),
    )
    with op.batch_alter_table("appeal_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_votes_appeal_id"), ["appeal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeal_votes_user_id"), ["user_id"], unique=False)
    # an appeal closed before: its one member's outcome was the panel's, so it is his vote
    op.execute(
        "INSERT INTO appeal_votes (appeal_id, user_id, outcome, reasoning, answer, cast_at) "
        "SELECT id, closed_by_id, outcome, reasoning, answer, closed_at FROM appeals "
        "WHERE outcome IS NOT NULL AND closed_by_id IS NOT NULL AND closed_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("appeal_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_votes_user_id"))
        batch_op.drop_index(batch_op.f("ix_appeal_votes_appeal_id"))
    op.drop_table("appeal_votes")
