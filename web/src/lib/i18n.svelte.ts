// The console's one dictionary: Simplified Chinese (default) and English.
// Every visible string goes through t(). The language choice persists in localStorage.

const zh = {
  'app.name': 'Beacon',
  'app.title': '应急信息发布与舆情应对平台',
  'app.loading': '正在加载…',
  'app.docTitleOverdue': '（{count} 项超时）',

  'lang.switch': 'English',
  'lang.switchTitle': '切换语言',

  'nav.board': '态势看板',
  'nav.newIncident': '登记新事件',
  'nav.signOut': '退出',
  'nav.back': '返回看板',

  'conn.live': '实时',
  'conn.reconnecting': '重连中',
  'conn.connecting': '连接中',
  'conn.offline': '离线',
  'conn.liveTitle': '实时连接正常，倒计时与事件即时更新',
  'conn.reconnectingTitle': '与服务器的实时连接已中断，正在重连；显示的数据可能不是最新的',
  'conn.offlineTitle': '离线：无法连接服务器，显示的数据可能不是最新的',

  'login.heading': '登录',
  'login.user': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',
  'login.bad': '用户名或密码错误',
  'login.tooMany': '尝试次数过多，请稍后再试',
  'login.demo': '演示账号（点击填入）',

  'board.heading': '态势看板',
  'board.openCount': '进行中事件',
  'board.overdueCount': '超时时限',
  'board.nextDue': '下一个到期',
  'board.noneDue': '暂无待办时限',
  'board.empty': '暂无可见事件',
  'board.closedHeading': '已结束的事件（{count}）',
  'board.loadFailed': '事件列表加载失败：{message}',
  'board.retry': '重试',
  'board.noClocks': '无发布时限',

  'incident.loggedLate': '补录/迟报',
  'incident.loggedLateTitle': '登记时已有时限超过，按迟报处理',
  'incident.sensitive': '敏感',
  'incident.closed': '已结束',
  'incident.occurredAt': '发生时间',
  'incident.reportedAt': '登记时间',
  'incident.leadDepartment': '牵头部门',
  'incident.location': '地点',
  'incident.spokesperson': '新闻发言人',
  'incident.casualties': '伤亡',
  'incident.casualtiesValue': '死亡 {deaths} · 受伤 {injured} · 失踪 {missing}',
  'incident.significantImpact': '重大社会影响',
  'incident.keywords': '关键词',
  'incident.summary': '概要',
  'incident.status': '状态',
  'incident.version': '版本',
  'incident.yes': '是',
  'incident.no': '否',
  'incident.none': '—',

  'clock.left': '剩余',
  'clock.lateBy': '已超时',
  'clock.due': '截止 {time}',
  'clock.metAt': '完成于 {time}',
  'clock.metLate': '超时完成',
  'clock.lateMargin': '超时 {duration}',

  'form.newHeading': '登记新事件',
  'form.editHeading': '修改事实',
  'form.title': '标题',
  'form.summary': '概要',
  'form.category': '事件类别',
  'form.severity': '事件级别',
  'form.occurredAt': '发生时间（本地时间）',
  'form.occurredAtHint': '默认为当前时间，可回填实际发生时间；时限从发生时间起算',
  'form.occurredFuture': '发生时间晚于当前时间，请核实',
  'form.location': '地点',
  'form.leadDepartment': '牵头部门',
  'form.chooseDepartment': '请选择部门',
  'form.spokesperson': '新闻发言人（可选）',
  'form.noSpokesperson': '暂不指定',
  'form.casualties': '伤亡情况',
  'form.deaths': '死亡',
  'form.injured': '受伤',
  'form.missing': '失踪',
  'form.significantImpact': '造成重大社会影响',
  'form.sensitive': '敏感事件（须统一安排发布，需更高一级审批）',
  'form.keywords': '关键词（用逗号分隔）',
  'form.keywordsPlaceholder': '例如：暴雨, 内涝, 转移安置',
  'form.submit': '登记事件',
  'form.submitting': '正在提交…',
  'form.save': '保存修改',
  'form.saving': '正在保存…',
  'form.cancel': '取消',
  'form.noChanges': '没有修改',
  'form.saved': '已保存',
  'form.conflict': '此事件已被他人修改，已加载最新内容',
  'form.fixErrors': '请修正标出的字段',
  'form.forbidden': '您没有执行此操作的权限',

  'preview.heading': '将启动的发布时限',
  'preview.none': '按当前事实，不触发首次发布与新闻发布会时限（I、II 级，或重大社会影响，或死亡 3 人以上时触发）',
  'preview.dueAt': '截止 {time}',
  'preview.past': '此时限已过，将记为超时',
  'preview.lateNote': '事件将被标记为「补录/迟报」',

  'severity.I': 'I 特别重大',
  'severity.II': 'II 重大',
  'severity.III': 'III 较大',
  'severity.IV': 'IV 一般',
  'severityHelp.I': '特别重大：需在国家层面统一组织处置（如事故灾难死亡 30 人以上）。自动启动 5 小时首次权威发布、24 小时新闻发布会时限。',
  'severityHelp.II': '重大：需省级统一组织处置（如死亡 10–29 人）。自动启动 5 小时首次权威发布、24 小时新闻发布会时限。',
  'severityHelp.III': '较大：需市级组织处置（如死亡 3–9 人）。死亡 3 人以上或有重大社会影响时启动发布时限。',
  'severityHelp.IV': '一般：县级组织处置（如死亡 3 人以下）。有重大社会影响时启动发布时限。',

  'category.natural_disaster': '自然灾害',
  'category.accident': '事故灾难',
  'category.public_health': '公共卫生事件',
  'category.social_security': '社会安全事件',

  'kind.first_release': '首次权威发布 (5小时)',
  'kind.press_conference': '新闻发布会 (24小时)',
  'kind.follow_up': '持续发布',
  'kind.opinion_response': '舆情回应 (48小时)',

  'status.pending': '计时中',
  'status.met': '已完成',
  'status.missed': '已超时',
  'status.waived': '已豁免',

  'incidentStatus.open': '处置中',
  'incidentStatus.closed': '已结束',

  'role.duty_officer': '值班员',
  'role.spokesperson': '新闻发言人',
  'role.analyst': '舆情分析员',
  'role.leader': '领导',
  'role.admin': '系统管理员',

  'detail.loading': '正在加载事件…',
  'detail.notFound': '未找到该事件，或您无权查看',
  'detail.facts': '事件事实',
  'detail.clocks': '发布时限',
  'detail.edit': '修改事实',
  'detail.close': '结束事件',
  'detail.closeConfirm': '确认结束此事件？结束后不再计时。',
  'detail.closeYes': '确认结束',
  'detail.closing': '正在结束…',
  'detail.closeBlocked': '仍有时限在计时（{kinds}），须先完成或豁免后才能结束事件',
  'detail.dueAt': '截止时间',
  'detail.metAt': '完成时间',
  'detail.waive': '豁免',
  'detail.waiveReason': '豁免理由',
  'detail.waiveSubmit': '确认豁免',
  'detail.waiving': '正在提交…',
  'detail.history': '事实变更记录',
  'detail.historyEmpty': '暂无变更记录',
  'detail.unknownUser': '系统',
  'detail.releases': '发布稿件',
  'detail.conferences': '新闻发布会',
  'detail.tasks': '任务',
  'detail.count': '{count} 项',

  'event.incident.created': '登记事件',
  'event.incident.updated': '修改事实',
  'event.incident.closed': '结束事件',
  'event.deadline.created': '新增时限',
  'event.deadline.waived': '豁免时限',

  'toast.warning': '「{title}」{kind}还剩 {minutes} 分钟',
  'toast.missed': '「{title}」{kind}已超时',
  'toast.dismiss': '关闭',
  'toast.open': '查看',

  'error.network': '无法连接服务器，请检查网络',
  'error.forbidden': '没有权限',
  'error.notFound': '未找到',
  'error.tooMany': '请求过于频繁，请稍后再试',
  'error.invalidState': '当前状态不允许此操作：{message}',
  'error.server': '服务器错误（{status}）',
  'error.generic': '操作失败：{message}',

  'v.required': '必填',
  'v.negative': '不能为负数',
  'v.whole': '须为整数',
  'v.time': '请填写有效的时间',
  'v.id': '请选择',
  'v.tooLong': '内容过长',
  'v.tooBig': '数值过大',
  'v.option': '请选择有效选项',
  'v.invalid': '格式无效',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'app.name': 'Beacon',
  'app.title': 'Emergency information release & public opinion console',
  'app.loading': 'Loading…',
  'app.docTitleOverdue': '({count} overdue)',

  'lang.switch': '中文',
  'lang.switchTitle': 'Switch language',

  'nav.board': 'Board',
  'nav.newIncident': 'Log new incident',
  'nav.signOut': 'Sign out',
  'nav.back': 'Back to board',

  'conn.live': 'Live',
  'conn.reconnecting': 'Reconnecting',
  'conn.connecting': 'Connecting',
  'conn.offline': 'Offline',
  'conn.liveTitle': 'Live connection: countdowns and events update immediately',
  'conn.reconnectingTitle': 'Live connection lost, reconnecting; what you see may be out of date',
  'conn.offlineTitle': 'Offline: cannot reach the server; what you see may be out of date',

  'login.heading': 'Sign in',
  'login.user': 'Login',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.bad': 'Wrong login or password',
  'login.tooMany': 'Too many attempts, please try again later',
  'login.demo': 'Demo accounts (click to fill)',

  'board.heading': 'Board',
  'board.openCount': 'Open incidents',
  'board.overdueCount': 'Overdue clocks',
  'board.nextDue': 'Next due',
  'board.noneDue': 'No pending clocks',
  'board.empty': 'No visible incidents',
  'board.closedHeading': 'Closed incidents ({count})',
  'board.loadFailed': 'Could not load incidents: {message}',
  'board.retry': 'Retry',
  'board.noClocks': 'No release clocks',

  'incident.loggedLate': 'Logged late',
  'incident.loggedLateTitle': 'A deadline had already passed when this was logged',
  'incident.sensitive': 'Sensitive',
  'incident.closed': 'Closed',
  'incident.occurredAt': 'Occurred',
  'incident.reportedAt': 'Logged',
  'incident.leadDepartment': 'Lead department',
  'incident.location': 'Location',
  'incident.spokesperson': 'Spokesperson',
  'incident.casualties': 'Casualties',
  'incident.casualtiesValue': '{deaths} dead · {injured} injured · {missing} missing',
  'incident.significantImpact': 'Significant social impact',
  'incident.keywords': 'Keywords',
  'incident.summary': 'Summary',
  'incident.status': 'Status',
  'incident.version': 'Version',
  'incident.yes': 'Yes',
  'incident.no': 'No',
  'incident.none': '—',

  'clock.left': 'Left',
  'clock.lateBy': 'Late by',
  'clock.due': 'Due {time}',
  'clock.metAt': 'Met {time}',
  'clock.metLate': 'Met late',
  'clock.lateMargin': '{duration} late',

  'form.newHeading': 'Log a new incident',
  'form.editHeading': 'Edit facts',
  'form.title': 'Title',
  'form.summary': 'Summary',
  'form.category': 'Category',
  'form.severity': 'Severity',
  'form.occurredAt': 'Occurred at (local time)',
  'form.occurredAtHint': 'Defaults to now; set it back to when it actually happened. Clocks run from this time.',
  'form.occurredFuture': 'Occurred-at is in the future, please check',
  'form.location': 'Location',
  'form.leadDepartment': 'Lead department',
  'form.chooseDepartment': 'Choose a department',
  'form.spokesperson': 'Spokesperson (optional)',
  'form.noSpokesperson': 'Not assigned yet',
  'form.casualties': 'Casualties',
  'form.deaths': 'Dead',
  'form.injured': 'Injured',
  'form.missing': 'Missing',
  'form.significantImpact': 'Significant social impact',
  'form.sensitive': 'Sensitive (released under unified arrangement, needs higher approval)',
  'form.keywords': 'Keywords (comma separated)',
  'form.keywordsPlaceholder': 'e.g. rainstorm, flooding, evacuation',
  'form.submit': 'Log incident',
  'form.submitting': 'Submitting…',
  'form.save': 'Save changes',
  'form.saving': 'Saving…',
  'form.cancel': 'Cancel',
  'form.noChanges': 'Nothing changed',
  'form.saved': 'Saved',
  'form.conflict': 'Someone else changed this incident; the latest version has been loaded',
  'form.fixErrors': 'Please correct the marked fields',
  'form.forbidden': 'You are not allowed to do this',

  'preview.heading': 'Clocks that will start',
  'preview.none': 'With these facts no first-release or press-conference clock applies (they apply to grade I/II, significant impact, or 3+ deaths)',
  'preview.dueAt': 'Due {time}',
  'preview.past': 'This deadline has already passed and will be recorded as missed',
  'preview.lateNote': 'The incident will be flagged "logged late"',

  'severity.I': 'I Extremely serious',
  'severity.II': 'II Serious',
  'severity.III': 'III Major',
  'severity.IV': 'IV Ordinary',
  'severityHelp.I': 'Extremely serious: handled under national command (e.g. 30+ deaths in an accident). Starts the 5 h first release and 24 h press conference clocks.',
  'severityHelp.II': 'Serious: handled under provincial command (e.g. 10–29 deaths). Starts the 5 h first release and 24 h press conference clocks.',
  'severityHelp.III': 'Major: handled at city level (e.g. 3–9 deaths). Clocks start with 3+ deaths or significant impact.',
  'severityHelp.IV': 'Ordinary: handled at county level (e.g. under 3 deaths). Clocks start with significant impact.',

  'category.natural_disaster': 'Natural disaster',
  'category.accident': 'Accident',
  'category.public_health': 'Public health',
  'category.social_security': 'Social security',

  'kind.first_release': 'First release (5 h)',
  'kind.press_conference': 'Press conference (24 h)',
  'kind.follow_up': 'Follow-up release',
  'kind.opinion_response': 'Opinion response (48 h)',

  'status.pending': 'Running',
  'status.met': 'Met',
  'status.missed': 'Missed',
  'status.waived': 'Waived',

  'incidentStatus.open': 'Open',
  'incidentStatus.closed': 'Closed',

  'role.duty_officer': 'Duty officer',
  'role.spokesperson': 'Spokesperson',
  'role.analyst': 'Analyst',
  'role.leader': 'Leader',
  'role.admin': 'Administrator',

  'detail.loading': 'Loading incident…',
  'detail.notFound': 'Incident not found, or you may not see it',
  'detail.facts': 'Facts',
  'detail.clocks': 'Release clocks',
  'detail.edit': 'Edit facts',
  'detail.close': 'Close incident',
  'detail.closeConfirm': 'Close this incident? Its clocks stop.',
  'detail.closeYes': 'Yes, close it',
  'detail.closing': 'Closing…',
  'detail.closeBlocked': 'Clocks still running ({kinds}): meet or waive them before closing',
  'detail.dueAt': 'Due at',
  'detail.metAt': 'Met at',
  'detail.waive': 'Waive',
  'detail.waiveReason': 'Reason for waiving',
  'detail.waiveSubmit': 'Waive deadline',
  'detail.waiving': 'Submitting…',
  'detail.history': 'History of facts',
  'detail.historyEmpty': 'No changes yet',
  'detail.unknownUser': 'System',
  'detail.releases': 'Releases',
  'detail.conferences': 'Press conferences',
  'detail.tasks': 'Tasks',
  'detail.count': '{count}',

  'event.incident.created': 'Logged',
  'event.incident.updated': 'Facts changed',
  'event.incident.closed': 'Closed',
  'event.deadline.created': 'Clock added',
  'event.deadline.waived': 'Clock waived',

  'toast.warning': '"{title}": {kind} due in {minutes} min',
  'toast.missed': '"{title}": {kind} is overdue',
  'toast.dismiss': 'Dismiss',
  'toast.open': 'Open',

  'error.network': 'Cannot reach the server, check the network',
  'error.forbidden': 'Not allowed',
  'error.notFound': 'Not found',
  'error.tooMany': 'Too many requests, please try again later',
  'error.invalidState': 'Not allowed in the current state: {message}',
  'error.server': 'Server error ({status})',
  'error.generic': 'Failed: {message}',

  'v.required': 'Required',
  'v.negative': 'Must not be negative',
  'v.whole': 'Must be a whole number',
  'v.time': 'Enter a valid time',
  'v.id': 'Please choose one',
  'v.tooLong': 'Too long',
  'v.tooBig': 'Too large',
  'v.option': 'Choose a valid option',
  'v.invalid': 'Invalid',
};

export const dictionaries = { zh, en } as const;
export type Lang = keyof typeof dictionaries;
export const LANGS: readonly Lang[] = ['zh', 'en'];

const STORAGE_KEY = 'beacon.lang';

function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch {
    /* storage blocked: use the default */
  }
  return 'zh';
}

class I18nState {
  lang = $state<Lang>(initialLang());
}

export const i18n = new I18nState();

/** BCP 47 tag for Intl and <html lang>. */
export function locale(lang: Lang = i18n.lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en-GB';
}

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = locale(lang);
}

/** Whether `key` is in the dictionary (for keys built from server data, e.g. event types). */
export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zh, key);
}

/** Look up `key` in the current language and fill `{name}` placeholders. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[i18n.lang][key] ?? zh[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/**
 * Validation messages come from the shared zod schemas (and the server) in English.
 * Map the known ones to the dictionary; anything else is shown as received.
 */
export function validationText(message: string): string {
  const m = message.replace(/^[\w.()]+: /, '').trim();
  const known: Record<string, MessageKey> = {
    'is required': 'v.required',
    'must not be negative': 'v.negative',
    'must be a whole number': 'v.whole',
    'must be an ISO-8601 timestamp with a time zone': 'v.time',
    'must be an id': 'v.id',
  };
  const key = known[m];
  if (key) return t(key);
  if (/^too big/i.test(m)) return /characters|string/i.test(m) ? t('v.tooLong') : t('v.tooBig');
  if (/^too small/i.test(m)) return t('v.required');
  if (/invalid option|invalid enum/i.test(m)) return t('v.option');
  if (/^invalid input/i.test(m)) return t('v.invalid');
  return m;
}
