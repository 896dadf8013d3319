"""Issue 13 item 3 (S1 section 10): routine fraud checks' disclosures are shown to the person. Every check
was recorded withheld with one blanket reason; those rows are shown again. A disclosure withheld case by
case (any other reason) is left as it is. Data only: no schema change.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

BLANKET = ("fraud prevention check: disclosures to fraud prevention agencies are withheld alike, so that none "
           "reveals what the agency answered (DPA 2018 Sch. 2 para 2)")


def upgrade() -> None:
    disclosures = sa.table('disclosures', sa.column('via', sa.String), sa.column('withheld_from_subject', sa.Boolean),
                           sa.column('withheld_reason', sa.Text))
    op.execute(disclosures.update()
               .where(disclosures.c.via == 'fraud_check', disclosures.c.withheld_reason == BLANKET)
               .values(withheld_from_subject=False, withheld_reason=None))


def downgrade() -> None:
    disclosures = sa.table('disclosures', sa.column('via', sa.String), sa.column('withheld_from_subject', sa.Boolean),
                           sa.column('withheld_reason', sa.Text))
    op.execute(disclosures.update()
               .where(disclosures.c.via == 'fraud_check', sa.not_(disclosures.c.withheld_from_subject))
               .values(withheld_from_subject=True, withheld_reason=BLANKET))
