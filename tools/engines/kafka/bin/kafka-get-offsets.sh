#!/bin/bash
# The image's kafka-get-offsets.sh, for the engine tests.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.GetOffsetShell "$@"
