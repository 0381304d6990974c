#!/bin/bash
# The image's kafka-server-start.sh, for the engine tests.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.Kafka "$@"
