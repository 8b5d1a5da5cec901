// The demo city's accounts, shown on the sign-in page in demo mode only.
import type { Role } from '../../shared/domain.ts';

export const DEMO_PASSWORD = 'beacon-demo-2026';

export interface DemoAccount {
  login: string;
  password: string;
  name: string;
  roles: Role[];
  departmentName: string;
}

const account = (login: string, name: string, departmentName: string, roles: Role[]): DemoAccount => ({
  login,
  password: DEMO_PASSWORD,
  name,
  roles,
  departmentName,
});

export const DEMO_DEPARTMENTS = [
  { name: '市政府办公室', coordinating: true },
  { name: '市委宣传部', coordinating: true },
  { name: '市委网信办', coordinating: true },
  { name: '市应急管理局', coordinating: false },
  { name: '市卫生健康委员会', coordinating: false },
  { name: '市公安局', coordinating: false },
  { name: '市生态环境局', coordinating: false },
  { name: '市交通运输局', coordinating: false },
] as const;

export const DEMO_ACCOUNTS: DemoAccount[] = [
  account('duty', '王值班', '市政府办公室', ['duty_officer']),
  account('spokes', '李发言', '市委宣传部', ['spokesperson']),
  account('analyst', '赵舆情', '市委网信办', ['analyst']),
  account('leader', '陈市长', '市政府办公室', ['leader']),
  account('yj.leader', '周局长', '市应急管理局', ['leader']),
  account('yj.duty', '孙值守', '市应急管理局', ['duty_officer', 'spokesperson']),
  account('wj.leader', '吴主任', '市卫生健康委员会', ['leader']),
  account('ga.duty', '郑警官', '市公安局', ['duty_officer']),
  account('admin', '系统管理员', '市政府办公室', ['admin']),
];
