#!/bin/bash
# The image's kafka-storage.sh, for the engine tests.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
