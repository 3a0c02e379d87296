"""feedback: one table for everything customers teach us (unanswered questions and handoff ratings move into it),
and the weekly reports' deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('sku', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('channel', sa.String(length=50), nullable=False),
    sa.Column('conversation_ref', sa.String(length=64), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_feedback_escalation_id_escalations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        for column in ('conversation_ref', 'created_at', 'escalation_id', 'kind', 'sku'):
            batch_op.create_index(batch_op.f(f'ix_feedback_{column}'), [column], unique=False)

    op.create_table('report_deliveries',
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('week', 'target', name=op.f('pk_report_deliveries'))
    )

    # Unanswered questions keep their text, language, channel, pseudonym and time.
    op.execute("INSERT INTO feedback (kind, text, language, channel, conversation_ref, created_at) "
               "SELECT 'unanswered', text, language, channel, conversation_ref, created_at FROM unanswered_questions")
    # Handoff ratings keep their escalation; the conversation reference is not known here, so it is left empty.
    op.execute("INSERT INTO feedback (kind, text, rating, language, channel, conversation_ref, escalation_id, created_at) "
               "SELECT 'rating', '', rating, language, channel, '', id, COALESCE(closed_at, created_at) "
               "FROM escalations WHERE rating IS NOT NULL")
    with op.batch_alter_table('unanswered_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unanswered_questions_created_at'))
        batch_op.drop_index(batch_op.f('ix_unanswered_questions_conversation_ref'))
    op.drop_table('unanswered_questions')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('rating')


def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.Integer(), nullable=True))
    op.create_table('unanswered_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('channel', sa.String(length=50), nullable=False),
    sa.Column('conversation_ref', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_questions'))
    )
    with op.batch_alter_table('unanswered_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unanswered_questions_conversation_ref'), ['conversation_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_unanswered_questions_created_at'), ['created_at'], unique=False)
    op.execute("INSERT INTO unanswered_questions (text, language, channel, conversation_ref, created_at) "
               "SELECT text, language, channel, conversation_ref, created_at FROM feedback WHERE kind = 'unanswered'")
    op.execute("UPDATE escalations SET rating = (SELECT max(rating) FROM feedback "
               "WHERE feedback.escalation_id = escalations.id AND feedback.kind = 'rating')")
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        for column in ('sku', 'kind', 'escalation_id', 'created_at', 'conversation_ref'):
            batch_op.drop_index(batch_op.f(f'ix_feedback_{column}'))
    op.drop_table('feedback')
    op.drop_table('report_deliveries')
