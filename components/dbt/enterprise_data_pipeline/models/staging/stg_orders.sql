select
    order_id,
    customer_id,
    product_id,
    cast(quantity as integer) as quantity,
    cast(unit_price as decimal(10, 2)) as unit_price,
    cast(total_amount as decimal(12, 2)) as total_amount,
    upper(currency) as currency,
    lower(status) as status,
    order_ts,
    cast(order_ts as date) as order_date
from {{ source('lake', 'orders') }}
where order_id is not null and quantity > 0
