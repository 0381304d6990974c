select
    customer_id,
    name as customer_name,
    lower(email) as email,
    upper(country) as country,
    lower(segment) as segment,
    signup_ts,
    cast(date_trunc('month', signup_ts) as date) as signup_month,
    updated_ts
from {{ source('lake', 'customers') }}
where customer_id is not null
