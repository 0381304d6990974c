{{ config(schema=var("lake_schema", "default"), properties={"partitioning": "ARRAY['cohort_month']"}) }}

-- Customers by signup month, and what each cohort buys in the months after signing up.
with orders as (
    select o.customer_id, cast(date_trunc('month', o.order_ts) as date) as activity_month, o.total_amount
    from {{ ref('stg_orders') }} o
    where o.status not in ('cancelled', 'returned')
)
select
    c.signup_month as cohort_month,
    o.activity_month,
    cast(date_diff('month', c.signup_month, o.activity_month) as integer) as months_since_signup,
    count(distinct o.customer_id) as customers,
    cast(sum(o.total_amount) as decimal(18, 2)) as revenue
from orders o
join {{ ref('stg_customers') }} c on c.customer_id = o.customer_id
group by c.signup_month, o.activity_month
