import { serviceState } from '../platform/service-state.js';
import { finding, type Finding } from './types.js';

export async function serviceFindings(name = 'guardpost'): Promise<Finding[]> {
  const s = await serviceState(name);
  if (!s.manager) return [finding('service', name, 'skip', { zh: '没有可查询的服务管理器（非 systemd 启动）', en: 'no service manager to ask (not booted with systemd)' })];
  const running = s.active === 'active' || s.active === 'RUNNING';
  const autostart = s.enabled === 'enabled' || s.enabled === 'AUTO_START';
  if (!running) {
    return [finding('service', name, 'fail', { zh: `服务未运行（${s.active}）`, en: `the service is not running (${s.active})` }, s.manager === 'systemd'
      ? { zh: `systemctl start ${name}；原因见 journalctl -u ${name} -n 50`, en: `systemctl start ${name}; see why with journalctl -u ${name} -n 50` }
      : { zh: `sc start ${name}`, en: `sc start ${name}` })];
  }
  if (!autostart) return [finding('service', name, 'warn', { zh: `服务在运行，但不会开机自启（${s.enabled}）`, en: `running, but not started at boot (${s.enabled})` }, s.manager === 'systemd' ? { zh: `systemctl enable ${name}`, en: `systemctl enable ${name}` } : { zh: `sc config ${name} start= auto`, en: `sc config ${name} start= auto` })];
  return [finding('service', name, 'ok', { zh: '服务运行中，开机自启', en: 'running, started at boot' })];
}
