import type { FaultDefinition } from '../../core/faults/types.js';

/** The hotline's runbook for the token check's faults; severities are set in faults.ts. */
export const TOKEN_FAULT_TEXTS: Omit<FaultDefinition, 'severity'>[] = [
  {
    code: 'TOKEN_MODULE_MISSING',
    title: { zh: 'USBKey 驱动未安装或无法加载', en: 'USB key driver missing or not loadable' },
    causes: [
      { zh: 'USBKey 驱动（PKCS#11 模块）未安装、被卸载或路径配置错误', en: 'the USB key driver (PKCS#11 module) is not installed, was uninstalled, or the configured path is wrong' },
      { zh: '32 位驱动装在 64 位系统上（加载器报 wrong ELF class）', en: 'a 32-bit driver on a 64-bit system (the loader says "wrong ELF class")' },
      { zh: '驱动依赖的库缺失（加载器报 cannot open shared object file）', en: 'a library the driver needs is missing (the loader says "cannot open shared object file")' },
    ],
    operator: {
      zh: '请不要自行下载安装驱动。请联系维护热线，说明电脑上 USBKey 相关软件最近是否被卸载或升级过。此问题会导致医保结算签名失败。',
      en: 'Do not download or install drivers yourself. Call the maintenance hotline and say whether any USB key software on this PC was recently removed or upgraded. Without the driver, settlement signing fails.',
    },
    engineer: {
      zh: '证据 error 中是加载器的原始信息。文件不存在：按 CA 提供的安装包重装驱动（飞天 ePass2003 为 libcastle.so.1.0.0，龙脉 GM3000 为 libgm3000_pkcs11.so，握奇为 libwdpkcs.so），核对配置中的 module 路径（只写文件名时按动态链接器的顺序查找，证据 tried 列出查找过的路径）。wrong ELF class：换用与系统位数一致的驱动。缺少依赖：用 ldd 模块路径 找出 not found 的库并安装（信创系统注意 /opt/apps 下的库路径）。可用 pkcs11-tool --module 模块路径 --list-slots 验证。',
      en: 'The evidence "error" holds the loader\'s own message. File absent: reinstall the driver from the CA\'s package (Feitian ePass2003: libcastle.so.1.0.0, Longmai GM3000: libgm3000_pkcs11.so, Watchdata: libwdpkcs.so) and check the configured module path (a bare file name is looked for in the dynamic loader\'s order; evidence "tried" lists the paths looked at). "wrong ELF class": use the driver build matching the OS bitness. Missing dependency: run ldd <module> to find the "not found" library and install it (on Kylin/UOS check the library paths under /opt/apps). Verify with pkcs11-tool --module <module> --list-slots.',
    },
  },
  {
    code: 'TOKEN_MODULE_ERROR',
    title: { zh: 'USBKey 驱动返回错误', en: 'USB key driver returns errors' },
    causes: [
      { zh: '驱动依赖的服务未运行（如 pcscd 智能卡服务）', en: 'a service the driver needs is not running (e.g. the pcscd smart card service)' },
      { zh: '驱动配置文件或令牌存储目录损坏、权限不足', en: 'the driver\'s configuration or token store is damaged or not readable' },
      { zh: '驱动版本与 USBKey 固件不匹配', en: 'driver version and USB key firmware do not match' },
    ],
    operator: {
      zh: '请将 USBKey 拔下后重新插入，稍等一分钟。如仍提示此问题，请联系维护热线。',
      en: 'Unplug the USB key, plug it in again and wait a minute. If the problem remains, call the maintenance hotline.',
    },
    engineer: {
      zh: '证据中 call 为出错的 PKCS#11 调用，ckr 为返回码。C_Initialize 出错：检查驱动配置文件和 pcscd 服务（systemctl status pcscd）。C_GetSlotList/C_OpenSession 出错：用 pkcs11-tool --module 模块路径 -L 复现，检查 udev 规则（龙脉为 90-mtoken.rules）和设备权限。必要时重装驱动或更换 USBKey。',
      en: 'In the evidence, "call" is the failing PKCS#11 call and "ckr" its return code. C_Initialize errors: check the driver\'s configuration and the pcscd service (systemctl status pcscd). C_GetSlotList / C_OpenSession errors: reproduce with pkcs11-tool --module <module> -L and check the udev rules (Longmai: 90-mtoken.rules) and device permissions. Reinstall the driver or replace the key if needed.',
    },
  },
  {
    code: 'TOKEN_MODULE_HUNG',
    title: { zh: 'USBKey 驱动无响应', en: 'USB key driver hangs' },
    causes: [
      { zh: 'USBKey 或其 USB 连接卡死，驱动调用不返回', en: 'the USB key or its USB connection is stuck and the driver call never returns' },
      { zh: '驱动与其他程序争用设备（独占打开）', en: 'the driver competes with another program for the device (exclusive open)' },
      { zh: '驱动程序缺陷', en: 'a bug in the vendor driver' },
    ],
    operator: {
      zh: '请先完成手头的结算，然后将 USBKey 拔下，等 10 秒后重新插入。如结算软件也无法签名或仍提示此问题，请联系维护热线。',
      en: 'Finish the settlement at hand, then unplug the USB key, wait 10 seconds and plug it in again. If the settlement software cannot sign either, or the problem remains, call the maintenance hotline.',
    },
    engineer: {
      zh: '监控程序在独立子进程中调用驱动，超时后已将其结束，不影响其他检查，并会在下个周期重试。若每次都超时：用 pkcs11-tool --module 模块路径 -L 复现是否卡住，检查 dmesg 中的 USB 错误，换 USB 口或 USBKey，升级驱动。每个厂商驱动应配置为单独的检查，以便从检查名判断是哪个驱动。',
      en: 'Guardpost calls the driver in a separate child process, killed it after the timeout without affecting other checks, and retries next cycle. If every run times out: reproduce with pkcs11-tool --module <module> -L, look for USB errors in dmesg, try another USB port or key, upgrade the driver. Give each vendor module its own check so the check id names the driver.',
    },
  },
  {
    code: 'TOKEN_MODULE_CRASHED',
    title: { zh: 'USBKey 驱动崩溃', en: 'USB key driver crashed' },
    causes: [
      { zh: '驱动程序缺陷（段错误）', en: 'a bug in the vendor driver (segmentation fault)' },
      { zh: '驱动与系统库版本不兼容', en: 'the driver is incompatible with the system libraries' },
      { zh: 'USBKey 固件异常导致驱动出错', en: 'faulty USB key firmware makes the driver fail' },
    ],
    operator: {
      zh: '请将 USBKey 拔下后重新插入。如结算软件签名也出现异常或此问题反复出现，请联系维护热线。',
      en: 'Unplug the USB key and plug it in again. If settlement signing also misbehaves or the problem keeps coming back, call the maintenance hotline.',
    },
    engineer: {
      zh: '驱动在监控程序的独立子进程中崩溃，已自动重启子进程并在下个周期重试。证据 signal 为结束信号（SIGSEGV 即段错误），stderr 为驱动最后的输出。检查驱动版本与系统是否匹配（信创系统需用对应版本），用 pkcs11-tool 复现，必要时向 CA 或厂商报告并更换驱动。',
      en: 'The driver crashed inside Guardpost\'s separate child process, which was restarted; the check retries next cycle. Evidence "signal" is how it ended (SIGSEGV: segmentation fault), "stderr" the driver\'s last output. Check the driver version suits the OS (Kylin/UOS need their own builds), reproduce with pkcs11-tool, and report to the CA or vendor for a fixed driver.',
    },
  },
  {
    code: 'TOKEN_NOT_PRESENT',
    title: { zh: '未检测到 USBKey', en: 'USB key not inserted' },
    causes: [
      { zh: 'USBKey 未插入或接触不良', en: 'the USB key is not inserted or has a loose contact' },
      { zh: '插入了其他单位或其他人的 USBKey（标签或序列号不符）', en: 'another site\'s or person\'s key is inserted (label or serial does not match)' },
      { zh: 'USB 口故障或供电不足（使用了 USB 延长线或集线器）', en: 'a faulty or underpowered USB port (extension cable or hub)' },
    ],
    operator: {
      zh: '请检查 USBKey 是否插好，指示灯是否亮起；可换一个电脑上的 USB 口（尽量不用延长线）。请确认插的是本机构的 USBKey。没有 USBKey 无法进行医保结算。',
      en: 'Check the USB key is plugged in and its light is on; try another USB port on the PC (avoid extension cables). Make sure it is this site\'s key. Settlement is impossible without it.',
    },
    engineer: {
      zh: '证据 otherTokens 为驱动看到的其他令牌数量：不为 0 说明插了标签或序列号不符的令牌，核对配置中的 label/serial。为 0：lsusb 查看设备是否识别，dmesg 查看 USB 错误，检查 udev 规则和 pcscd。若令牌为可选（required=false）则不会产生此故障。',
      en: 'Evidence "otherTokens" counts the other tokens the driver sees: above 0 means a key with a different label or serial is inserted; check label/serial in the config. At 0: check lsusb sees the device, dmesg for USB errors, the udev rules and pcscd. Optional tokens (required=false) never raise this fault.',
    },
  },
  {
    code: 'TOKEN_NOT_INITIALIZED',
    title: { zh: 'USBKey 未初始化', en: 'USB key not initialised' },
    causes: [
      { zh: 'USBKey 被格式化或重置', en: 'the USB key was formatted or reset' },
      { zh: '插入的是未发行的空白 USBKey', en: 'a blank, never-issued key is inserted' },
    ],
    operator: {
      zh: '这支 USBKey 里没有证书，无法用于结算。请确认是否插错了 USBKey，并联系维护热线或发证机构（CA）。',
      en: 'This USB key holds no certificate and cannot be used for settlement. Check whether the wrong key is plugged in, and call the maintenance hotline or the issuing CA.',
    },
    engineer: {
      zh: '令牌标志中 TOKEN_INITIALIZED 未置位。确认标签和序列号是否为本机构的 USBKey；如被误重置，需到 CA 重新发证（证书和私钥无法恢复）。',
      en: 'The token flags lack TOKEN_INITIALIZED. Check label and serial belong to this site\'s key; a key that was reset must be re-issued by the CA (certificates and keys cannot be recovered).',
    },
  },
  {
    code: 'TOKEN_PIN_COUNT_LOW',
    title: { zh: 'USBKey PIN 曾输错', en: 'USB key PIN retries reduced' },
    causes: [
      { zh: '有人输错过 PIN 码', en: 'someone entered a wrong PIN' },
      { zh: '结算软件或插件中保存的 PIN 已过时', en: 'a PIN saved in the settlement software or plug-in is out of date' },
    ],
    operator: {
      zh: 'USBKey 的 PIN 码被输错过。连续输错 6 次会锁死，需要到 CA 解锁。请确认正确的 PIN 后再输入，不确定时不要反复尝试，请联系维护热线。',
      en: 'A wrong PIN was entered on the USB key. Six wrong PINs in a row lock it, and only the CA can unlock it. Enter the PIN only when sure; if unsure, do not keep trying: call the maintenance hotline.',
    },
    engineer: {
      zh: '令牌标志 USER_PIN_COUNT_LOW 置位：自上次正确登录以来有错误尝试。正确登录一次后会清除。检查结算软件、签名插件中是否保存了旧 PIN。本监控程序默认从不登录 USBKey。',
      en: 'Token flag USER_PIN_COUNT_LOW: wrong attempts since the last good login; one good login clears it. Check the settlement software and signing plug-ins for a stale saved PIN. Guardpost never logs in to USB keys by default.',
    },
  },
  {
    code: 'TOKEN_PIN_FINAL_TRY',
    title: { zh: 'USBKey PIN 仅剩最后一次机会', en: 'USB key PIN: final try left' },
    causes: [
      { zh: 'PIN 已连续多次输错', en: 'the PIN was entered wrongly several times in a row' },
      { zh: '程序使用错误的 PIN 自动重试', en: 'a program keeps retrying with a wrong PIN' },
    ],
    operator: {
      zh: '再输错一次 PIN，USBKey 就会锁死，结算将无法进行。请不要再尝试，立即联系维护热线。',
      en: 'One more wrong PIN locks the USB key and settlement stops. Do not try again; call the maintenance hotline now.',
    },
    engineer: {
      zh: '令牌标志 USER_PIN_FINAL_TRY 置位。先找出并停止使用错误 PIN 的程序，再由持有正确 PIN 的人员登录一次以重置计数。如 PIN 已遗忘，联系 CA 办理重置。',
      en: 'Token flag USER_PIN_FINAL_TRY. First find and stop whatever uses the wrong PIN, then have the holder of the right PIN log in once to reset the counter. If the PIN is forgotten, ask the CA for a reset.',
    },
  },
  {
    code: 'TOKEN_PIN_LOCKED',
    title: { zh: 'USBKey 已锁死', en: 'USB key PIN locked' },
    causes: [
      { zh: 'PIN 连续输错（通常 6 次）', en: 'the PIN was entered wrongly too many times (usually six)' },
    ],
    operator: {
      zh: 'USBKey 已锁死，无法签名和结算。请联系维护热线和发证机构（CA）办理解锁，解锁后 PIN 通常会重置。',
      en: 'The USB key is locked: no signing, no settlement. Call the maintenance hotline and the issuing CA to unlock it; the PIN is usually reset when unlocked.',
    },
    engineer: {
      zh: '令牌标志 USER_PIN_LOCKED 置位。按 CA 流程解锁（GDCA 等需用管理员 PIN 或到柜台办理，解锁后 PIN 常重置为 000000，需提醒用户修改）。同时找出造成连续错误的程序或人员。',
      en: 'Token flag USER_PIN_LOCKED. Unlock through the CA\'s procedure (GDCA and others need the SO PIN or a counter visit; the PIN is often reset to 000000 and must then be changed). Also find the program or person behind the wrong attempts.',
    },
  },
  {
    code: 'TOKEN_PIN_TO_BE_CHANGED',
    title: { zh: 'USBKey PIN 需要修改', en: 'USB key PIN must be changed' },
    causes: [
      { zh: '仍在使用初始 PIN（如解锁后的 000000）', en: 'the initial PIN is still in use (e.g. 000000 after an unlock)' },
      { zh: 'PIN 已过期', en: 'the PIN has expired' },
    ],
    operator: {
      zh: 'USBKey 的 PIN 需要修改。请用 CA 的证书客户端修改 PIN，并妥善保管新 PIN。',
      en: 'The USB key\'s PIN must be changed. Change it with the CA\'s certificate client and keep the new PIN safe.',
    },
    engineer: {
      zh: '令牌标志 USER_PIN_TO_BE_CHANGED 置位。指导用户使用 CA 客户端修改 PIN；修改后标志会清除。',
      en: 'Token flag USER_PIN_TO_BE_CHANGED. Guide the user through changing the PIN in the CA client; the flag clears afterwards.',
    },
  },
  {
    code: 'TOKEN_SIGN_TEST_SKIPPED',
    title: { zh: '签名测试未执行', en: 'Sign test not run' },
    causes: [
      { zh: 'PIN 曾输错、仅剩一次或已锁死，为防止锁死未登录', en: 'the PIN shows wrong tries, a final try or a lock, so no login was attempted' },
      { zh: '密钥算法不支持签名测试（如 SM2 需厂商专用机制）', en: 'the key algorithm is not supported by the sign test (SM2 needs vendor mechanisms)' },
      {
        zh: '防止 PIN 锁死的登录记录（状态目录下 token-logins/）不可信或无法写入，为防止锁死未登录',
        en: 'the wrong-PIN guard (token-logins/ in the state directory) cannot be trusted or written, so no login was attempted',
      },
    ],
    operator: {
      zh: '签名服务器密码设备的自检未能执行。请联系维护热线。',
      en: 'The self-test of the certificate server\'s crypto device could not run. Call the maintenance hotline.',
    },
    engineer: {
      zh: '证据中 pinCountLow/pinFinalTry/pinLocked 说明原因：先处理 PIN 状态（同时会有 TOKEN_PIN_* 故障），正确登录一次后测试恢复。unsupported=SM2：该密钥无法用标准机制测试，可关闭此令牌的 signTest。loginJournal：登录记录的路径及问题（属主不是代理运行用户、组或其他用户可写、符号链接、内容损坏）；修正属主和权限（chown 代理用户，chmod 700 目录、600 文件），损坏的记录须先核对令牌 PIN 剩余次数再删除。',
      en: 'Evidence pinCountLow / pinFinalTry / pinLocked gives the cause: deal with the PIN state first (a TOKEN_PIN_* fault is open too); the test resumes after one good login. unsupported=SM2: the key cannot be tested with standard mechanisms; turn signTest off for this token. loginJournal: the login journal\'s path and problem (not owned by the agent\'s user, writable by group or others, a symbolic link, damaged); fix owner and modes (chown to the agent\'s user, chmod 700 the directory, 600 the file); delete a damaged marker only after checking the token\'s PIN retry counter.',
    },
  },
  {
    code: 'TOKEN_LOGIN_FAILED',
    title: { zh: '签名测试登录失败', en: 'Sign test login failed' },
    causes: [
      { zh: '配置的 PIN 错误或已被修改', en: 'the configured PIN is wrong or was changed' },
      { zh: 'PIN 文件或环境变量内容有误（多余空格、换行）', en: 'the PIN file or environment variable has stray characters' },
      { zh: '设备的 PIN 已锁定或过期', en: 'the device\'s PIN is locked or expired' },
    ],
    operator: {
      zh: '签名服务器密码设备的自检登录失败。请联系维护热线，不要自行尝试登录。',
      en: 'The certificate server\'s crypto device self-test could not log in. Call the maintenance hotline; do not try logging in yourself.',
    },
    engineer: {
      zh: '证据 ckr 为 C_Login 返回码（CKR_PIN_INCORRECT 为 PIN 错误）。为防止锁死，同一天内不再重试，次日自动再试一次。核对 signTest.pin 指向的 PIN 文件或环境变量。当天的禁止记录保存在检查状态和状态目录下的登录记录中（证据 loginJournal），重启或断电重启都不会解除，次日再试；不要为此手动登录。',
      en: 'Evidence "ckr" is C_Login\'s return code (CKR_PIN_INCORRECT: wrong PIN). To avoid a lock there is no retry the same day; one attempt is made the next day. Check the PIN file or variable signTest.pin points at. The day\'s block is kept in the check state and in the login journal in the state directory (evidence loginJournal), so neither a restart nor a reboot lifts it; the next attempt is the next day. Do not log in by hand to test it.',
    },
  },
  {
    code: 'TOKEN_SIGN_TEST_FAILED',
    title: { zh: '签名测试失败', en: 'Sign test failed' },
    causes: [
      { zh: '私钥与证书不匹配（证书更新后未更换密钥）', en: 'the private key does not match the certificate (renewed certificate, old key)' },
      { zh: '找不到配置的私钥，或密钥已被删除', en: 'the configured private key is not found or was deleted' },
      { zh: '密码设备签名功能故障', en: 'the crypto device fails to sign' },
    ],
    operator: {
      zh: '签名服务器的密码设备签名自检失败，安全认证可能受影响。请立即联系维护热线。',
      en: 'The certificate server\'s crypto device failed its signing self-test; authentication may be affected. Call the maintenance hotline now.',
    },
    engineer: {
      zh: '证据中有密钥 keyId/keyLabel、证书主题和错误。签名无法验证：证书与私钥不对应，检查证书更新流程。找不到私钥：核对 signTest.keyLabel/keyId 与 pkcs11-tool --list-objects --login 的结果。签名调用出错：查看设备日志，联系设备厂商。',
      en: 'The evidence names the key (keyId/keyLabel), the certificate subject and the error. Signature does not verify: certificate and key do not belong together; check the renewal. Key not found: compare signTest.keyLabel/keyId with pkcs11-tool --list-objects --login. Sign call errors: check the device logs and contact its vendor.',
    },
  },
];
