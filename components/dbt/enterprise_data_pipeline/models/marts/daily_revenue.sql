{{ config(schema=var("lake_schema", "default"), properties={"partitioning": "ARRAY['month(order_date)']"}) }}

-- Revenue per day and currency; cancelled and returned orders do not count.
select
    order_date,
    currency,
    count(distinct order_id) as orders,
    cast(sum(quantity) as bigint) as items,
    cast(sum(total_amount) as decimal(18, 2)) as revenue
from {{ ref('stg_orders') }}
where status not in ('cancelled', 'returned')
group by order_date, currency
