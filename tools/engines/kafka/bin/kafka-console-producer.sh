#!/bin/bash
# The image's kafka-console-producer.sh, for the engine tests.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.ConsoleProducer "$@"
