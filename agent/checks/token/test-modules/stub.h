/*
 * Shared by the test PKCS#11 modules: the OASIS headers (shipped with pkcs11js) and a function list whose every
 * entry answers CKR_FUNCTION_NOT_SUPPORTED until a module sets the few functions the token probe calls.
 * Test-only code: compiled by test-support/modules.ts into a temp directory, never shipped.
 */
#include <stddef.h>
#include <string.h>
#include "pkcs11.h"

static CK_RV not_supported(void) { return CKR_FUNCTION_NOT_SUPPORTED; }

static void fill_not_supported(CK_FUNCTION_LIST *list) {
  /* After `version` the list is nothing but function pointers (68 in v2.40). */
  CK_RV (**fn)(void) = (CK_RV (**)(void))((char *)list + offsetof(CK_FUNCTION_LIST, C_Initialize));
  size_t n = (sizeof(CK_FUNCTION_LIST) - offsetof(CK_FUNCTION_LIST, C_Initialize)) / sizeof(*fn);
  for (size_t i = 0; i < n; i++) fn[i] = not_supported;
  list->version.major = 2;
  list->version.minor = 40;
}

static inline CK_RV ok_initialize(CK_VOID_PTR args) { (void)args; return CKR_OK; }
static inline CK_RV ok_finalize(CK_VOID_PTR reserved) { (void)reserved; return CKR_OK; }

/* Space-padded, not NUL-terminated: how PKCS#11 returns its fixed-size strings. */
static inline void pad(CK_UTF8CHAR *dst, size_t size, const char *src) {
  size_t n = strlen(src);
  memset(dst, ' ', size);
  memcpy(dst, src, n < size ? n : size);
}
