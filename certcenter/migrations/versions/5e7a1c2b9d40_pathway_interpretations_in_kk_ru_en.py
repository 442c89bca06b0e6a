"""pathway interpretations in kk/ru/en (JSON; the English text of before becomes {"en": text}, none becomes {})

Revision ID: 5e7a1c2b9d40
Revises: be32d945ede8
Create Date: 2026-11-29 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7a1c2b9d40'
down_revision = 'be32d945ede8'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "pathways",
            "interpretation",
            type_=sa.JSON(),
            existing_type=sa.Text(),
            existing_nullable=False,
            postgresql_using="CASE WHEN interpretation = '' THEN '{}'::json "
            "ELSE json_build_object('en', interpretation) END",
        )
    else:
        op.execute(
            "UPDATE pathways SET interpretation = CASE WHEN interpretation = '' THEN json_object() "
            "ELSE json_object('en', interpretation) END"
        )
        with op.batch_alter_table("pathways") as batch_op:
            batch_op.alter_column("interpretation", type_=sa.JSON(), existing_type=sa.Text(), existing_nullable=False)


def downgrade():
    """Back to one text: the English one (or the first there is)."""
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "pathways",
            "interpretation",
            type_=sa.Text(),
            existing_type=sa.JSON(),
            existing_nullable=False,
            postgresql_using="COALESCE(interpretation->>'en', interpretation->>'ru', interpretation->>'kk', '')",
        )
    else:
        op.execute(
            "UPDATE pathways SET interpretation = COALESCE(json_extract(interpretation, '$.en'), "
            "json_extract(interpretation, '$.ru'), json_extract(interpretation, '$.kk'), '')"
        )
        with op.batch_alter_table("pathways") as batch_op:
            batch_op.alter_column("interpretation", type_=sa.Text(), existing_type=sa.JSON(), existing_nullable=False)
