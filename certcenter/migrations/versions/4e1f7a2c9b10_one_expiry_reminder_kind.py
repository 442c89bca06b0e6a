"""one schedule of expiry reminders: the renewal reminders (renewal_due) become the expiry notices
(certificate_expiring), so a step already told is not told again, and a holder's choice for either kind holds

Revision ID: 4e1f7a2c9b10
Revises: 5e7a1c2b9d40
Create Date: 2026-11-29 13:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4e1f7a2c9b10"
down_revision = "5e7a1c2b9d40"
branch_labels = None
depends_on = None

notifications = sa.table("notifications", sa.column("kind", sa.String))
preferences = sa.table(
    "notice_preferences", sa.column("user_id", sa.Integer), sa.column("kind", sa.String), sa.column("email", sa.Boolean)
)


def upgrade():
    op.execute(notifications.update().where(notifications.c.kind == "renewal_due").values(kind="certificate_expiring"))
    # a person who switched off either kind's mails keeps them off; his other row goes
    both = sa.select(preferences.c.user_id).where(preferences.c.kind == "certificate_expiring").scalar_subquery()
    op.execute(
        preferences.update()
        .where(
            preferences.c.kind == "certificate_expiring",
            preferences.c.user_id.in_(
                sa.select(preferences.c.user_id).where(
                    preferences.c.kind == "renewal_due", preferences.c.email == sa.false()
                )
            ),
        )
        .values(email=False)
    )
    op.execute(preferences.delete().where(preferences.c.kind == "renewal_due", preferences.c.user_id.in_(both)))
    op.execute(preferences.update().where(preferences.c.kind == "renewal_due").values(kind="certificate_expiring"))


def downgrade():
    # the two kinds cannot be told apart again: the notices stay expiry notices
    pass
