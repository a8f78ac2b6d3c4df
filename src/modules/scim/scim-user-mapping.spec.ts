import {
  addMissingWorkAddress,
  fromProviderShapes,
  localeTag,
  patchFromProviderShapes,
  removeMembersByValue,
  userWriteOf,
  versionOf,
} from './scim-user-mapping';
import { checkIfMatch } from './scim-request';

describe('SCIM user mapping', () => {
  it("reads Entra ID's string booleans and bare manager id, nothing else", () => {
    expect(
      fromProviderShapes({
        active: 'False',
        emails: [{ primary: 'True', value: 'True' }],
        displayName: 'True',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: 'abc' },
      }),
    ).toEqual({
      active: false,
      emails: [{ primary: true, value: 'True' }],
      displayName: 'True',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'abc' } },
    });
    expect(
      patchFromProviderShapes({
        Operations: [
          { op: 'Replace', path: 'active', value: 'True' },
          { op: 'Replace', path: 'displayName', value: 'False' },
        ],
      }),
    ).toEqual({
      Operations: [
        { op: 'Replace', path: 'active', value: true },
        { op: 'Replace', path: 'displayName', value: 'False' },
      ],
    });
  });

  it('adds a work address for a sub-attribute set on a user without one, once', () => {
    const message = {
      Operations: [{ op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Madrid' }],
    };
    expect(addMissingWorkAddress(message, {})).toEqual({
      Operations: [{ op: 'add', path: 'addresses', value: [{ type: 'work', locality: 'Madrid' }] }],
    });
    const withWork = { addresses: [{ type: 'work', locality: 'Paris' }] };
    expect(addMissingWorkAddress(message, withWork)).toEqual(message);
  });

  it('removes members named by value one filter at a time, leaving odd values alone', () => {
    expect(
      removeMembersByValue({
        Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'a-1' }] }],
      }),
    ).toEqual({ Operations: [{ op: 'remove', path: 'members[value eq "a-1"]' }] });
    const odd = { Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'x" or "' }] }] };
    expect(removeMembersByValue(odd)).toEqual(odd);
  });

  it('maps names, location, language and dates to the directory', () => {
    const write = userWriteOf({
      userName: ' Ana@Example.com ',
      name: { givenName: 'Ana', familyName: 'García' },
      addresses: [
        { type: 'home', locality: 'Toledo' },
        { type: 'work', locality: 'Madrid' },
      ],
      preferredLanguage: 'es-ES, en;q=0.8',
      'urn:ietf:params:scim:schemas:extension:inpulse:2.0:User': {
        startDate: '2020-02-29T08:00:00Z',
      },
    });
    expect(write.employee).toMatchObject({
      email: 'Ana@Example.com',
      name: 'Ana García',
      location: 'Madrid',
      locale: 'es-ES',
      hireDate: '2020-02-29',
      active: true,
    });
    expect(localeTag('es-es')).toBe('es-ES');
    expect(localeTag('zh-hant-tw')).toBe('zh-hant-TW');
  });

  it('versions change with any attribute; If-Match compares weak and strong alike', () => {
    expect(versionOf({ a: 1 })).not.toBe(versionOf({ a: 2 }));
    const v = versionOf({ a: 1 });
    expect(() => checkIfMatch(v, v)).not.toThrow();
    expect(() => checkIfMatch(v.replace('W/', ''), v)).not.toThrow();
    expect(() => checkIfMatch('*', v)).not.toThrow();
    expect(() => checkIfMatch(undefined, v)).not.toThrow();
    expect(() => checkIfMatch('W/"other"', v)).toThrow(/has changed/);
  });
});
