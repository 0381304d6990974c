#!/bin/bash
# The image's kafka-consumer-groups.sh, for the engine tests.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
