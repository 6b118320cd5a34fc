/*
 * One slot with one token whose flags come from the environment, read at every C_GetTokenInfo:
 *   GP_TOKEN_FLAGS    token flags as a number ("0x10400"); default TOKEN_INITIALIZED | LOGIN_REQUIRED | USER_PIN_INITIALIZED
 *   GP_TOKEN_LABEL    default "flags-token";  GP_TOKEN_SERIAL  default "FLAGS0001"
 *   GP_LOGIN_COUNT_FILE  every C_Login appends one byte here (the count is the file size); C_Login always fails
 *                        with CKR_PIN_INCORRECT, as a wrong PIN would on a real key.
 *   GP_LOGIN_CRASH       when set, C_Login segfaults once it has counted the attempt: a module that takes the
 *                        process down inside the login, so no run's state comes back.
 * SoftHSM2 never sets USER_PIN_FINAL_TRY or USER_PIN_LOCKED; this module lets the tests set any of them.
 * The token holds no objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include "stub.h"

#define SLOT 1
#define DEFAULT_FLAGS (CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED)

static const char *env_or(const char *name, const char *fallback) {
  const char *v = getenv(name);
  return v && *v ? v : fallback;
}

static CK_RV get_info(CK_INFO_PTR info) {
  memset(info, 0, sizeof *info);
  info->cryptokiVersion.major = 2;
  info->cryptokiVersion.minor = 40;
  pad(info->manufacturerID, sizeof info->manufacturerID, "Guardpost tests");
  pad(info->libraryDescription, sizeof info->libraryDescription, "flags test module");
  return CKR_OK;
}

static CK_RV get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  (void)present;
  if (list && *count < 1) { *count = 1; return CKR_BUFFER_TOO_SMALL; }
  if (list) list[0] = SLOT;
  *count = 1;
  return CKR_OK;
}

static CK_RV get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  if (slot != SLOT) return CKR_SLOT_ID_INVALID;
  memset(info, 0, sizeof *info);
  pad(info->slotDescription, sizeof info->slotDescription, "flags test slot");
  pad(info->manufacturerID, sizeof info->manufacturerID, "Guardpost tests");
  info->flags = CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
  return CKR_OK;
}

static CK_RV get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  if (slot != SLOT) return CKR_SLOT_ID_INVALID;
  memset(info, 0, sizeof *info);
  pad(info->label, sizeof info->label, env_or("GP_TOKEN_LABEL", "flags-token"));
  pad(info->manufacturerID, sizeof info->manufacturerID, "Guardpost tests");
  pad(info->model, sizeof info->model, "flags");
  pad(info->serialNumber, sizeof info->serialNumber, env_or("GP_TOKEN_SERIAL", "FLAGS0001"));
  const char *flags = getenv("GP_TOKEN_FLAGS");
  info->flags = flags && *flags ? (CK_FLAGS)strtoul(flags, NULL, 0) : DEFAULT_FLAGS;
  info->ulMaxPinLen = 16;
  info->ulMinPinLen = 6;
  return CKR_OK;
}

static CK_RV open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR session) {
  (void)flags; (void)app; (void)notify;
  if (slot != SLOT) return CKR_SLOT_ID_INVALID;
  *session = 1;
  return CKR_OK;
}

static CK_RV close_session(CK_SESSION_HANDLE session) { (void)session; return CKR_OK; }

static CK_RV find_init(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n) { (void)s; (void)t; (void)n; return CKR_OK; }

static CK_RV find(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max, CK_ULONG_PTR found) {
  (void)s; (void)objects; (void)max;
  *found = 0;
  return CKR_OK;
}

static CK_RV find_final(CK_SESSION_HANDLE s) { (void)s; return CKR_OK; }

static CK_RV login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  (void)s; (void)user; (void)pin; (void)len;
  const char *file = getenv("GP_LOGIN_COUNT_FILE");
  if (file && *file) {
    FILE *f = fopen(file, "ab");
    if (f) { fputc('L', f); fclose(f); }
  }
  const char *crash = getenv("GP_LOGIN_CRASH");
  if (crash && *crash) {
    volatile int *nowhere = NULL;
    *nowhere = 1; /* SIGSEGV */
  }
  return CKR_PIN_INCORRECT;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out) {
  static CK_FUNCTION_LIST list;
  fill_not_supported(&list);
  list.C_Initialize = ok_initialize;
  list.C_Finalize = ok_finalize;
  list.C_GetInfo = get_info;
  list.C_GetSlotList = get_slot_list;
  list.C_GetSlotInfo = get_slot_info;
  list.C_GetTokenInfo = get_token_info;
  list.C_OpenSession = open_session;
  list.C_CloseSession = close_session;
  list.C_FindObjectsInit = find_init;
  list.C_FindObjects = find;
  list.C_FindObjectsFinal = find_final;
  list.C_Login = login;
  *out = &list;
  return CKR_OK;
}
