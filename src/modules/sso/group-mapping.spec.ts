import { emailVerified, groupsOf, mapGroups, type MappingRule } from './group-mapping';

const rules: MappingRule[] = [
  { groupName: 'hr', role: 'admin', teamId: null },
  { groupName: 'it-leads', role: 'lead', teamId: 'it' },
  { groupName: 'fac-leads', role: 'lead', teamId: 'facilities' },
  { groupName: 'finance-readers', role: 'viewer', teamId: 'finance' },
];

describe('mapGroups', () => {
  it('refuses when no group matches (exactly, case and all)', () => {
    expect(mapGroups([], rules)).toBeUndefined();
    expect(mapGroups(['IT-LEADS', 'other'], rules)).toBeUndefined();
  });

  it('gives the strongest role, with the teams of that role only', () => {
    expect(mapGroups(['finance-readers'], rules)).toEqual({ role: 'viewer', teamIds: ['finance'] });
    expect(mapGroups(['it-leads', 'fac-leads', 'finance-readers'], rules)).toEqual({
      role: 'lead',
      teamIds: ['it', 'facilities'],
    });
    expect(mapGroups(['it-leads', 'hr'], rules)).toEqual({ role: 'admin', teamIds: [] });
  });
});

describe('groupsOf', () => {
  it('reads a list, a single string, or a dotted path', () => {
    expect(groupsOf({ groups: ['a', ' b ', 3, ''] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ roles: 'x' }, 'roles')).toEqual(['x']);
    expect(groupsOf({ realm_access: { roles: ['r1'] } }, 'realm_access.roles')).toEqual(['r1']);
    expect(groupsOf({}, 'groups')).toEqual([]);
  });
});

describe('emailVerified', () => {
  it('is true only for true or "true"', () => {
    expect(emailVerified({ email_verified: true })).toBe(true);
    expect(emailVerified({ email_verified: 'true' })).toBe(true);
    expect(emailVerified({ email_verified: false })).toBe(false);
    expect(emailVerified({})).toBe(false);
  });
});
