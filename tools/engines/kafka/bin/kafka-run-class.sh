#!/bin/bash
# Stands in for the apache/kafka image's script of the same name in the engine tests: the image's
# JVM defaults, its heap, log4j and KAFKA_OPTS variables, and every jar of /opt/kafka/libs.
class=$1; shift
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} \
  ${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true} \
  ${KAFKA_LOG4J_OPTS:-} ${KAFKA_OPTS:-} ${LOG_DIR:+-Dkafka.logs.dir=$LOG_DIR} -cp '/opt/kafka/libs/*' "$class" "$@"
