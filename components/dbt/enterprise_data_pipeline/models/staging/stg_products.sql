select
    product_id,
    name as product_name,
    lower(category) as category,
    cast(price as decimal(10, 2)) as price,
    upper(currency) as currency,
    updated_ts
from {{ source('lake', 'products') }}
where product_id is not null
