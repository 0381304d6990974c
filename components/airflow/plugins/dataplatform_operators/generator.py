"""Realistic e-commerce events for the platform's topics, and a producer that sends them to Kafka."""
import json
import os
import random
from datetime import datetime, timedelta, timezone
from typing import Dict, Iterable, List

COUNTRIES = ["DE", "FR", "NL", "ES", "IT", "PL", "SE"]
CATEGORIES = ["books", "games", "electronics", "garden", "toys"]
STATUSES = ["placed", "paid", "shipped", "cancelled", "returned"]
STATUS_WEIGHTS = [30, 30, 30, 6, 4]


def _iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def generate(customers: int, products: int, orders: int, seed: int = 42, now: datetime = None) -> Dict[str, List[dict]]:
    """Events by topic. Orders only reference generated customers and products."""
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    cust = [{
        "customer_id": f"c{i:06d}", "name": f"Customer {i}", "email": f"customer{i}@example.com",
        "country": rng.choice(COUNTRIES), "segment": rng.choice(["retail", "business"]),
        "signup_ts": _iso(now - timedelta(days=rng.randint(0, 365))), "updated_ts": _iso(now),
    } for i in range(customers)]
    prod = [{
        "product_id": f"p{i:05d}", "name": f"Product {i}", "category": rng.choice(CATEGORIES),
        "price": f"{rng.uniform(2, 250):.2f}", "currency": "EUR", "updated_ts": _iso(now),
    } for i in range(products)]
    ords = []
    for i in range(orders):
        p = rng.choice(prod)
        quantity = rng.randint(1, 5)
        ords.append({
            "order_id": f"o{seed}-{i:07d}", "customer_id": rng.choice(cust)["customer_id"], "product_id": p["product_id"],
            "quantity": quantity, "unit_price": p["price"], "total_amount": f"{quantity * float(p['price']):.2f}",
            "currency": "EUR", "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0],
            "order_ts": _iso(now - timedelta(minutes=rng.randint(0, 24 * 60))),
        })
    return {"customers": cust, "products": prod, "orders": ords}


KEYS = {"customers": "customer_id", "products": "product_id", "orders": "order_id"}


def kafka_client_settings(env=os.environ) -> dict:
    """kafka-python settings from the task's environment: TLS with the client certificate in KAFKA_TLS_DIR when KAFKA_SECURITY_PROTOCOL is SSL."""
    protocol = env.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    if protocol == "PLAINTEXT":
        return {}
    if protocol != "SSL":
        raise ValueError(f"KAFKA_SECURITY_PROTOCOL is {protocol}; allowed: PLAINTEXT, SSL")
    tls_dir = env.get("KAFKA_TLS_DIR")
    if not tls_dir:
        raise ValueError("KAFKA_SECURITY_PROTOCOL is SSL but KAFKA_TLS_DIR is not set")
    return {
        "security_protocol": "SSL",
        "ssl_cafile": os.path.join(tls_dir, "ca.crt"),
        "ssl_certfile": os.path.join(tls_dir, "tls.crt"),
        "ssl_keyfile": os.path.join(tls_dir, "tls.key"),
    }


def produce(bootstrap_servers: str, events: Dict[str, Iterable[dict]], producer=None) -> Dict[str, int]:
    """Sends each event as JSON, keyed by its id (one key, one partition: per-key order holds)."""
    if producer is None:
        from kafka import KafkaProducer
        producer = KafkaProducer(bootstrap_servers=bootstrap_servers.split(","), acks="all", linger_ms=20, **kafka_client_settings())
    sent = {}
    for topic, items in events.items():
        n = 0
        for event in items:
            producer.send(topic, key=event[KEYS[topic]].encode(), value=json.dumps(event).encode())
            n += 1
        sent[topic] = n
    producer.flush()
    return sent


def topic_sizes(bootstrap_servers: str, topics: Iterable[str], consumer=None) -> Dict[str, int]:
    """Events each topic holds (sum of its partitions' end offsets)."""
    if consumer is None:
        from kafka import KafkaConsumer
        consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers.split(","), **kafka_client_settings())
    from kafka import TopicPartition

    sizes = {}
    for topic in topics:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        sizes[topic] = sum(consumer.end_offsets(partitions).values()) if partitions else 0
    return sizes


def require_events(bootstrap_servers: str, topics: Iterable[str], consumer=None) -> Dict[str, int]:
    """Fails when a topic holds no events: nothing for the streaming application to ingest."""
    sizes = topic_sizes(bootstrap_servers, topics, consumer)
    empty = [t for t, n in sizes.items() if n == 0]
    if empty:
        raise RuntimeError(f"topics without events: {empty}")
    return sizes
