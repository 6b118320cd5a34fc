import type { FaultDefinition } from '../core/faults/types.js';

/**
 * Runbooks of the certificate faults. Catalogued once, by the cert check (agent/checks/cert/); every other check that
 * sees certificates (tokens, TLS chains) raises these codes through certificateRules without redefining them.
 */
export const CERT_FAULTS: FaultDefinition[] = [
  {
    code: 'CERT_EXPIRING',
    severity: 'minor',
    title: { zh: '证书即将到期', en: 'Certificate expiring soon' },
    causes: [
      { zh: '证书临近有效期届满，尚未办理更新（CA 一般在到期前 90 天开始提醒）', en: 'the certificate is near the end of its validity and has not been renewed (CAs start reminding 90 days ahead)' },
      { zh: '已在 CA 办理更新，但新证书还没有写入 USBKey，或服务器上的证书文件还没有替换', en: 'it was renewed at the CA, but the new certificate is not yet on the USBKey or has not replaced the file on the server' },
      { zh: '证书链中的中级 CA 证书即将到期（原因为 chain_expiring）', en: 'an intermediate CA certificate on the chain expires soon (reason chain_expiring)' },
    ],
    operator: {
      zh: '请尽快联系发证机构（如 GDCA 数安时代）或维护热线办理证书更新。更新时需要插入 USBKey 并输入 PIN，请勿反复输错 PIN（连续输错 6 次会锁死）。证书到期后将无法进行医保结算签名。',
      en: 'Contact the issuing CA (e.g. GDCA) or the maintenance hotline soon to renew the certificate. Renewal needs the USBKey and its PIN; do not enter a wrong PIN repeatedly (six wrong PINs lock the key). Once the certificate expires, settlements can no longer be signed.',
    },
    engineer: {
      zh: '证据中有主题、序列号、notAfter 和剩余天数 daysLeft（原因为 chain_expiring 时看 chainDaysLeft 和 chainExpiringSubject，即验证通过的证书链上最先到期的 CA 证书）。在 CA 客户端（如 GDCA 通用版数字证书客户端）执行“证书更新”，之后确认 USBKey 中签名证书和加密证书都已替换（证据 role、pairedWith）；文件证书则替换文件并重启使用它的服务。中级 CA 证书到期时，向 CA 获取新的中级证书并更新 intermediates 证书包。严重程度随剩余天数升级：默认 ≤90 天轻微、≤30 天一般、≤7 天严重（policy.expiry 可配置）。',
      en: 'The evidence has the subject, serial, notAfter and daysLeft (for reason chain_expiring: chainDaysLeft and chainExpiringSubject, the CA certificate on the verified chain that expires first). Run "certificate renewal" in the CA client (e.g. the GDCA universal certificate client), then confirm both the signing and the encryption certificate on the USBKey were replaced (evidence role, pairedWith); for certificate files, replace the file and restart the service using it. For an expiring intermediate, get the new one from the CA and update the intermediates bundle. The severity rises with the days left: by default ≤90 days minor, ≤30 major, ≤7 critical (policy.expiry).',
    },
  },
  {
    code: 'CERT_EXPIRED',
    severity: 'critical',
    title: { zh: '证书已过期', en: 'Certificate expired' },
    causes: [
      { zh: '证书没有按时更新', en: 'the certificate was not renewed in time' },
      { zh: '本机时间不准（被调快），证书实际上并未过期', en: 'the local clock is wrong (ahead), and the certificate has not really expired' },
      { zh: '已更新的新证书没有写入 USBKey 或没有替换旧文件', en: 'the renewed certificate was never written to the USBKey or never replaced the old file' },
    ],
    operator: {
      zh: '过期的证书不能用于医保结算签名和身份认证。请先核对电脑右下角的日期时间是否正确（不要自行修改时间），然后立即联系维护热线或发证机构办理证书更新。',
      en: 'An expired certificate cannot sign settlements or authenticate. First check that the date and time in the corner of the screen are right (do not change them yourself), then call the maintenance hotline or the CA at once to renew the certificate.',
    },
    engineer: {
      zh: '对照证据中的 notAfter 与当前时间；如果 CLOCK_SKEW 或 CLOCK_JUMPED 同时存在，先处理时间问题。否则到 CA 办理更新（过期后部分 CA 要求重新申请而不能在线更新），写入 USBKey 或替换证书文件，重启相关服务，再运行 guardpost check 确认故障消除。',
      en: 'Compare notAfter in the evidence with the current time; if CLOCK_SKEW or CLOCK_JUMPED is also open, fix the time first. Otherwise renew at the CA (after expiry some CAs require a new application instead of an online renewal), write it to the USBKey or replace the file, restart the services using it, and run guardpost check to confirm the fault clears.',
    },
  },
  {
    code: 'CERT_NOT_YET_VALID',
    severity: 'critical',
    title: { zh: '证书尚未生效', en: 'Certificate not yet valid' },
    causes: [
      { zh: '本机时间比实际时间慢（主板电池没电、时间同步失败或被人改动）', en: 'the local clock is behind (flat CMOS battery, failed time sync, or changed by hand)' },
      { zh: '证书刚刚签发，生效时间在将来', en: 'the certificate was just issued with a start time in the future' },
    ],
    operator: {
      zh: '这通常是电脑时间不准造成的，可能是本机时间有误。请核对电脑日期和时间是否正确，但不要自行修改时间（医保规定严禁私自更改系统日期），请联系维护热线。',
      en: 'This is usually caused by a wrong PC clock: the local time may be off. Check the date and time on the PC, but do not change them yourself (the insurance rules forbid changing the system date); call the maintenance hotline.',
    },
    engineer: {
      zh: '比较证据中的 notBefore、secondsUntilValid 与可信时间。本机时间偏慢时，看时钟检查的 CLOCK_SKEW，按当地规定配置内网 NTP 时间源；Guardpost 只报告、从不修改系统时间。若本机时间正确，说明证书生效时间在将来：等到生效，或请 CA 重新签发。',
      en: 'Compare notBefore and secondsUntilValid in the evidence with a trusted time. If the local clock is behind, see CLOCK_SKEW from the clock check and configure an intranet NTP source as local rules allow; Guardpost only reports and never changes the clock. If the local time is right, the certificate starts in the future: wait, or ask the CA to reissue it.',
    },
  },
  {
    code: 'CERT_CHAIN_INVALID',
    severity: 'major',
    title: { zh: '证书链验证失败', en: 'Certificate chain does not verify' },
    causes: [
      { zh: '缺少中级 CA 证书（issuer_not_found）', en: 'an intermediate CA certificate is missing (issuer_not_found)' },
      { zh: '根证书不在配置的信任锚中，例如 CA 更换了根证书（untrusted_root）', en: 'the root is not a configured trust anchor, e.g. the CA changed roots (untrusted_root)' },
      { zh: '签名验证失败：证书被改动或与配置的 CA 不匹配（bad_signature）', en: 'a signature does not verify: the certificate was altered or does not belong to the configured CA (bad_signature)' },
      { zh: '上级 CA 证书已过期或尚未生效（issuer_expired、issuer_not_yet_valid）', en: 'an issuing CA certificate has expired or is not yet valid (issuer_expired, issuer_not_yet_valid)' },
      { zh: '签名算法无法验证（unsupported_algorithm）', en: 'a signature algorithm cannot be verified (unsupported_algorithm)' },
    ],
    operator: {
      zh: '证书可能不被医保平台或认证服务器认可，结算或登录可能失败。请不要自行删除或导入证书，联系维护热线。',
      en: 'The certificate may be rejected by the settlement platform or the authentication server, so settlement or login may fail. Do not delete or import certificates yourself; call the maintenance hotline.',
    },
    engineer: {
      zh: '证据 chainError 给出原因（固定列表），chainErrorDetail 指出是哪张证书。issuer_not_found：从 CA 获取中级证书，加入 policy.intermediates；untrusted_root：核实根证书后加入 policy.anchors；bad_signature：核对证书来源，必要时重新申请；issuer_expired / issuer_not_yet_valid：更新中级或根证书；issuer_not_ca：签发者不是 CA 证书；unsupported_algorithm：证据写明算法名。SM2 签名先按 OpenSSL 的空标识、再按 GB/T 32918 默认标识 1234567812345678 验证，证据 sm2Id 写明哪个通过。',
      en: 'chainError in the evidence gives the cause (a closed list) and chainErrorDetail names the certificate. issuer_not_found: get the intermediate from the CA and add it to policy.intermediates; untrusted_root: verify the root and add it to policy.anchors; bad_signature: check where the certificate came from, reapply if needed; issuer_expired / issuer_not_yet_valid: renew the intermediate or root; issuer_not_ca: the issuer is not a CA certificate; unsupported_algorithm: the evidence names the algorithm. SM2 signatures are tried with OpenSSL\'s empty ID and with the GB/T 32918 default ID 1234567812345678; evidence sm2Id says which verified.',
    },
  },
  {
    code: 'CERT_REVOKED',
    severity: 'critical',
    title: { zh: '证书已被吊销', en: 'Certificate revoked' },
    causes: [
      { zh: '证书已在 CA 注销：USBKey 挂失、单位信息变更、补办后旧证书作废', en: 'the CA cancelled the certificate: USBKey reported lost, organisation details changed, replaced by a new one' },
      { zh: '私钥疑似泄露，被 CA 吊销（keyCompromise）', en: 'the private key was suspected compromised and the CA revoked it (keyCompromise)' },
    ],
    operator: {
      zh: '该证书已被发证机构作废，不能再用于结算签名。请立即联系维护热线和发证机构，确认是否已领取新的 USBKey；如果 USBKey 丢失或被他人使用过，请一并告知。',
      en: 'The CA has cancelled this certificate; it can no longer sign settlements. Call the maintenance hotline and the CA at once and check whether a new USBKey was issued; say so if the USBKey was lost or used by someone else.',
    },
    engineer: {
      zh: '证据中有 revocationMethod（crl 或 ocsp）、revocationSource、revokedAt 和 revocationReason。向 CA 核实吊销原因；已补办的，更换 USBKey 或证书文件；原因为 keyCompromise 时按安全事件处理。certificateHold（临时冻结）可由 CA 解除。',
      en: 'The evidence has revocationMethod (crl or ocsp), revocationSource, revokedAt and revocationReason. Confirm the reason with the CA; if a replacement was issued, swap the USBKey or certificate file; treat keyCompromise as a security incident. certificateHold (a temporary hold) can be lifted by the CA.',
    },
  },
  {
    code: 'CERT_WEAK',
    severity: 'minor',
    title: { zh: '证书使用弱算法', en: 'Certificate uses a weak algorithm' },
    causes: [
      { zh: 'SHA-1（或 MD5）签名，已可被伪造', en: 'a SHA-1 (or MD5) signature, which can be forged' },
      { zh: 'RSA 密钥短于 2048 位', en: 'an RSA key shorter than 2048 bits' },
      { zh: '早年申请、一直沿用的老证书或老 CA', en: 'an old certificate or CA kept in use for years' },
    ],
    operator: {
      zh: '暂时不影响结算和签名。请在下次办理证书更新时告知维护人员，一并更换为使用更安全算法的证书。',
      en: 'This does not stop anything today. Mention it to the maintenance staff at the next certificate renewal.',
    },
    engineer: {
      zh: '证据 weaknesses 列出问题（如 sha1_signature、rsa_1024）。下次更新时向 CA 申请 SHA-256 或 SM3withSM2 签名、2048 位以上 RSA 或 SM2 证书；平台和 CA 逐步停用 SHA-1 后，这类证书会验签失败。规则在 policy.weak 中配置（自签名根证书自身的签名默认不检查）。',
      en: 'weaknesses in the evidence lists the problems (e.g. sha1_signature, rsa_1024). At the next renewal ask the CA for a SHA-256 or SM3withSM2 signature and RSA of 2048 bits or more, or SM2; as platforms and CAs drop SHA-1, such certificates will fail verification. The rules are in policy.weak (a self-signed root\'s own signature is not checked by default).',
    },
  },
  {
    code: 'CERT_UNPARSABLE',
    severity: 'major',
    title: { zh: '证书无法解析', en: 'Certificate cannot be read' },
    causes: [
      { zh: '证书文件损坏或被截断', en: 'the certificate file is damaged or truncated' },
      { zh: '文件不是证书（例如私钥或其他文件）', en: 'the file is not a certificate (e.g. a private key or something else)' },
      { zh: 'PKCS#12 密码错误或没有配置密码', en: 'the PKCS#12 password is wrong or not configured' },
      { zh: '格式或加密算法不受支持', en: 'the format or its encryption algorithm is not supported' },
      { zh: 'USBKey 中的证书对象损坏', en: 'a certificate object on the USBKey is damaged' },
    ],
    operator: {
      zh: '请不要删除或替换证书文件，也不要反复插拔 USBKey，联系维护热线。',
      en: 'Do not delete or replace certificate files and do not keep re-plugging the USBKey; call the maintenance hotline.',
    },
    engineer: {
      zh: '证据中 source 是文件或令牌，offset 是出错的字节位置，errorKind 是原因（bad_pem、bad_der、bad_pkcs12、bad_password、unsupported_pkcs12、empty、read_failed），error 是说明。用 openssl x509 -in 文件 -noout -text（DER 加 -inform DER）或 openssl pkcs12 -info -nokeys -in 文件 检查；密码错误时核对配置中 pkcs12 的密码引用；文件损坏则从备份或 CA 重新下载。',
      en: 'source in the evidence is the file or token, offset the byte where it breaks, errorKind the cause (bad_pem, bad_der, bad_pkcs12, bad_password, unsupported_pkcs12, empty, read_failed) and error the explanation. Check with openssl x509 -in FILE -noout -text (add -inform DER for DER) or openssl pkcs12 -info -nokeys -in FILE; for a wrong password, check the pkcs12 password reference in the config; for a damaged file, restore it from backup or download it from the CA again.',
    },
  },
  {
    code: 'CRL_STALE',
    severity: 'minor',
    title: { zh: '证书吊销列表过期', en: 'CRL out of date' },
    causes: [
      { zh: '下载不到新的 CRL（医保专网无法访问 CA 网站，或被代理、防火墙阻断）', en: 'no new CRL can be downloaded (the insurance network cannot reach the CA, or a proxy or firewall blocks it)' },
      { zh: 'CA 没有按时发布新的 CRL', en: 'the CA has not published a new CRL on time' },
      { zh: '本地配置的 CRL 文件没有定期更新', en: 'a configured CRL file is not being replaced regularly' },
    ],
    operator: {
      zh: '这不影响当前结算，但过期的吊销列表会让作废的证书无法被发现。请联系维护热线检查网络或更新吊销列表。',
      en: 'This does not affect settlements now, but with an out-of-date list a cancelled certificate goes unnoticed. Call the maintenance hotline to have the network or the list checked.',
    },
    engineer: {
      zh: '证据中有 nextUpdate、daysToNextUpdate、fromCache 和 error（最近一次下载失败的原因）。轻微：下载的 CRL 更新失败，且剩余有效期不到其总有效期（thisUpdate 到 nextUpdate）的 staleWarnPercent（默认 50%），或配置了 staleWarnDays 且剩余不到该天数（证据 status 为 expiring）；一般：已过 nextUpdate（status 为 stale）。按时更新的 CRL 不会告警。确认终端能访问 CRL 地址，或在内网提供 CRL 镜像并把 urls 指向它；文件 CRL 需要定期替换（可用计划任务下载）。过了 nextUpdate 仍用旧 CRL，新吊销的证书将发现不了。',
      en: 'The evidence has nextUpdate, daysToNextUpdate, fromCache and error (why the last download failed). Minor (evidence status expiring) when a downloaded CRL could not be refreshed and less than staleWarnPercent (default 50 %) of its validity (thisUpdate to nextUpdate) is left, or within staleWarnDays of nextUpdate when that is set; major (status stale) once nextUpdate has passed. A CRL refreshed on time raises nothing. Make sure the terminal can reach the CRL URL, or mirror the CRL on the intranet and point urls there; CRL files must be replaced regularly (a scheduled download). With an old CRL past nextUpdate, newly revoked certificates go unnoticed.',
    },
  },
  {
    code: 'REVOCATION_UNAVAILABLE',
    severity: 'minor',
    title: { zh: '无法检查证书吊销状态', en: 'Revocation status unavailable' },
    causes: [
      { zh: 'CRL 或 OCSP 地址不可达（网络、DNS、防火墙，医保专网不能访问互联网）', en: 'the CRL or OCSP address cannot be reached (network, DNS, firewall; the insurance network has no Internet access)' },
      { zh: '响应无效：签名验证不通过、nonce 不符、或不是该证书的响应', en: 'the answer is invalid: bad signature, nonce mismatch, or about another certificate' },
      { zh: 'CRL 文件不存在或无法读取', en: 'a CRL file is missing or unreadable' },
      { zh: 'OCSP 响应方不认识该证书（unknown）', en: 'the OCSP responder does not know the certificate (unknown)' },
    ],
    operator: {
      zh: '这不表示证书有问题，结算可以继续；请联系维护热线检查网络。',
      en: 'This does not mean the certificate is bad, and settlements can go on; call the maintenance hotline to have the network checked.',
    },
    engineer: {
      zh: '这不是“已吊销”。证据中有 endpoint 和 error。检查连通性（curl -v 地址）、代理和防火墙。OCSP 是可选功能（会向 CA 透露被查询的证书和来源地址）；医保专网访问不到 CA 时建议关闭 OCSP，并在内网镜像 CRL。crl_invalid 表示 CRL 签名无法用已知的 CA 证书验证：把签发 CRL 的 CA 证书加入 anchors 或 intermediates。',
      en: 'This is not "revoked". The evidence has the endpoint and error. Check connectivity (curl -v URL), proxy and firewall. OCSP is opt-in (it tells the CA which certificate is checked, and from where); where the insurance network cannot reach the CA, turn OCSP off and mirror the CRL on the intranet. crl_invalid means no known CA certificate verifies the CRL\'s signature: add the CRL issuer\'s certificate to anchors or intermediates.',
    },
  },
];
