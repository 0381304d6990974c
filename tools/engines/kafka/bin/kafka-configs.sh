#!/bin/bash
# The image's kafka-configs.sh, for the engine tests.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
