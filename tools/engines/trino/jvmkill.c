/*
 * Stands in for the libjvmkill.so that the trinodb/trino image ships and the chart's jvm.config
 * loads (-agentpath): on resource exhaustion (heap or threads) the JVM is killed at once, so a
 * supervisor restarts it instead of it limping on. Built by the engine tests; not in Maven Central.
 */
#include <jvmti.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void JNICALL exhausted(jvmtiEnv *jvmti, JNIEnv *jni, jint flags, const void *reserved, const char *description) {
  fprintf(stderr, "jvmkill: resource exhausted (%s), killing the JVM\n", description ? description : "?");
  kill(getpid(), SIGKILL);
}

JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM *vm, char *options, void *reserved) {
  jvmtiEnv *jvmti;
  if ((*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_0) != JNI_OK) return JNI_ERR;
  jvmtiCapabilities caps;
  memset(&caps, 0, sizeof caps);
  caps.can_generate_resource_exhaustion_heap_events = 1;
  caps.can_generate_resource_exhaustion_threads_events = 1;
  if ((*jvmti)->AddCapabilities(jvmti, &caps) != JVMTI_ERROR_NONE) return JNI_ERR;
  jvmtiEventCallbacks callbacks;
  memset(&callbacks, 0, sizeof callbacks);
  callbacks.ResourceExhausted = exhausted;
  if ((*jvmti)->SetEventCallbacks(jvmti, &callbacks, sizeof callbacks) != JVMTI_ERROR_NONE) return JNI_ERR;
  return (*jvmti)->SetEventNotificationMode(jvmti, JVMTI_ENABLE, JVMTI_EVENT_RESOURCE_EXHAUSTED, NULL) == JVMTI_ERROR_NONE ? JNI_OK : JNI_ERR;
}
