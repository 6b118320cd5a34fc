/*
 * A vendor module that never returns from C_GetSlotList (as some do when the USB stack wedges).
 * GP_HANG_PID_FILE, if set, receives the pid of the process that got stuck, so a test can see it was killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "stub.h"

static CK_RV hang_get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  (void)present; (void)list; (void)count;
  const char *file = getenv("GP_HANG_PID_FILE");
  if (file && *file) {
    FILE *f = fopen(file, "w");
    if (f) { fprintf(f, "%d", (int)getpid()); fclose(f); }
  }
  for (;;) pause();
  return CKR_GENERAL_ERROR; /* never reached */
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out) {
  static CK_FUNCTION_LIST list;
  fill_not_supported(&list);
  list.C_Initialize = ok_initialize;
  list.C_Finalize = ok_finalize;
  list.C_GetSlotList = hang_get_slot_list;
  *out = &list;
  return CKR_OK;
}
