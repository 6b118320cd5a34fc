/* A vendor module that segfaults in C_GetSlotList. */
#include "stub.h"

static CK_RV crash_get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  (void)present; (void)list; (void)count;
  volatile int *nowhere = NULL;
  *nowhere = 1; /* SIGSEGV */
  return CKR_GENERAL_ERROR;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out) {
  static CK_FUNCTION_LIST list;
  fill_not_supported(&list);
  list.C_Initialize = ok_initialize;
  list.C_Finalize = ok_finalize;
  list.C_GetSlotList = crash_get_slot_list;
  *out = &list;
  return CKR_OK;
}
