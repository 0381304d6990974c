#!/bin/bash
# The image's kafka-acls.sh, for the engine tests.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.AclCommand "$@"
