"""catalogue and unanswered questions

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 06:09:37.493278
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('applications',
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('job_ref', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=False),
    sa.Column('interview_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('ref', name=op.f('pk_applications'))
    )
    op.create_table('catalog_terms',
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('name_de', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('plural_de', sa.String(length=200), nullable=True),
    sa.Column('plural_en', sa.String(length=200), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_catalog_terms'))
    )
    op.create_table('company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('founded', sa.Integer(), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=False),
    sa.Column('web', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('jobs_email', sa.String(length=200), nullable=False),
    sa.Column('privacy_email', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=50), nullable=False),
    sa.Column('about_de', sa.Text(), nullable=False),
    sa.Column('about_en', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company'))
    )
    op.create_table('faq_topics',
    sa.Column('topic', sa.String(length=50), nullable=False),
    sa.Column('text_de', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('topic', name=op.f('pk_faq_topics'))
    )
    op.create_table('jobs',
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('locations', sa.JSON(), nullable=False),
    sa.Column('types', sa.JSON(), nullable=False),
    sa.Column('department', sa.String(length=50), nullable=False),
    sa.Column('summary_de', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=True),
    sa.Column('duration_months', sa.Integer(), nullable=True),
    sa.Column('hybrid', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('ref', name=op.f('pk_jobs'))
    )
    op.create_table('orders',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('carrier', sa.String(length=100), nullable=True),
    sa.Column('tracking_number', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_orders'))
    )
    op.create_table('products',
    sa.Column('sku', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('availability', sa.String(length=20), nullable=False),
    sa.Column('availability_de', sa.String(length=300), nullable=False),
    sa.Column('availability_en', sa.String(length=300), nullable=False),
    sa.Column('specs_de', sa.JSON(), nullable=False),
    sa.Column('specs_en', sa.JSON(), nullable=False),
    sa.Column('battery_wh', sa.Integer(), nullable=True),
    sa.Column('range_km', sa.Integer(), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('sku', name=op.f('pk_products'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_category'), ['category'], unique=False)

    op.create_table('services',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('name_de', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=True),
    sa.Column('unit_de', sa.String(length=100), nullable=True),
    sa.Column('unit_en', sa.String(length=100), nullable=True),
    sa.Column('description_de', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_services'))
    )
    op.create_table('teams',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('takes_de', sa.Text(), nullable=False),
    sa.Column('takes_en', sa.Text(), nullable=False),
    sa.Column('hours', sa.JSON(), nullable=False),
    sa.Column('on_call', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
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

    op.create_table('product_fits',
    sa.Column('part_sku', sa.String(length=30), nullable=False),
    sa.Column('product_sku', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['part_sku'], ['products.sku'], name=op.f('fk_product_fits_part_sku_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_sku'], ['products.sku'], name=op.f('fk_product_fits_product_sku_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('part_sku', 'product_sku', name=op.f('pk_product_fits'))
    )
    op.create_table('recalls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=30), nullable=False),
    sa.Column('batch_from', sa.Integer(), nullable=False),
    sa.Column('batch_to', sa.Integer(), nullable=False),
    sa.Column('reason_de', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('remedy_de', sa.Text(), nullable=False),
    sa.Column('remedy_en', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_recalls_sku_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recalls'))
    )


def downgrade() -> None:
    op.drop_table('recalls')
    op.drop_table('product_fits')
    with op.batch_alter_table('unanswered_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unanswered_questions_created_at'))
        batch_op.drop_index(batch_op.f('ix_unanswered_questions_conversation_ref'))

    op.drop_table('unanswered_questions')
    op.drop_table('teams')
    op.drop_table('services')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_category'))

    op.drop_table('products')
    op.drop_table('orders')
    op.drop_table('jobs')
    op.drop_table('faq_topics')
    op.drop_table('company')
    op.drop_table('catalog_terms')
    op.drop_table('applications')
