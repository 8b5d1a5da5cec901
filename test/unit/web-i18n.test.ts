import { describe, expect, it } from 'vitest';
import { CATEGORIES, DEADLINE_KINDS, DEADLINE_STATUSES, ROLES, SEVERITIES } from '../../shared/domain.ts';
import { dictionaries, i18n, setLang, t, validationText } from '../../web/src/lib/i18n.svelte.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n dictionary', () => {
  it('has the same keys and placeholders in zh and en', () => {
    const zh = dictionaries.zh as Record<string, string>;
    const en = dictionaries.en as Record<string, string>;
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const key of Object.keys(zh)) expect(placeholders(en[key]), key).toEqual(placeholders(zh[key]));
  });

  it('labels every domain value', () => {
    setLang('zh');
    expect(SEVERITIES.map((s) => t(`severity.${s}`))).toEqual(['I 特别重大', 'II 重大', 'III 较大', 'IV 一般']);
    expect(CATEGORIES.map((c) => t(`category.${c}`))).toEqual(['自然灾害', '事故灾难', '公共卫生事件', '社会安全事件']);
    expect(t('kind.first_release')).toBe('首次权威发布 (5小时)');
    expect(DEADLINE_KINDS.every((k) => t(`kind.${k}`) !== `kind.${k}`)).toBe(true);
    expect(DEADLINE_STATUSES.map((s) => t(`status.${s}`))).toEqual(['计时中', '已完成', '已超时', '已豁免']);
    expect(ROLES.every((r) => t(`role.${r}`) !== `role.${r}`)).toBe(true);
  });

  it('fills parameters and switches language', () => {
    setLang('en');
    expect(i18n.lang).toBe('en');
    expect(t('toast.missed', { title: 'X', kind: 'Y' })).toBe('"X": Y is overdue');
    setLang('zh');
    expect(t('toast.missed', { title: 'X', kind: 'Y' })).toBe('「X」Y已超时');
  });

  it('translates known validation messages and keeps unknown ones', () => {
    setLang('zh');
    expect(validationText('casualties.deaths: must not be negative')).toBe('不能为负数');
    expect(validationText('is required')).toBe('必填');
    expect(validationText('something odd')).toBe('something odd');
  });
});
