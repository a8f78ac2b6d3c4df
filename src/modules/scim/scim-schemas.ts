import SCIMMY from 'scimmy';

/**
 * The SCIM schemas inpulse speaks, declared once to the `scimmy` library (its registry is
 * process-wide): the core User with the enterprise extension and inpulse's own extension, the
 * core Group, and the service provider's capabilities. scimmy parses filters and PATCH
 * operations and checks attribute types against these; the mapping to employees is ours
 * (scim-user-mapping.ts).
 */
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** What SCIM's core lacks and the directory holds: a start date (tenure) and the person's team. */
export const INPULSE_USER = 'urn:ietf:params:scim:schemas:extension:inpulse:2.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const inpulseDefinition = new SCIMMY.Types.SchemaDefinition(
  'InpulseUser',
  INPULSE_USER,
  'What inpulse keeps of an employee beyond SCIM core and the enterprise extension',
  [
    new SCIMMY.Types.Attribute('string', 'startDate', {
      description:
        'The first day at the organisation (YYYY-MM-DD, or a date-time whose date is taken): tenure bands.',
    }),
    new SCIMMY.Types.Attribute('string', 'team', {
      description: "The slug of the person's own team in inpulse (engagement and eNPS rate it).",
    }),
  ],
);

/** inpulse's user extension, as scimmy wants a schema: a class with its definition. */
class InpulseUser extends SCIMMY.Types.Schema {
  static override get id() {
    return inpulseDefinition.id;
  }
  static override get definition() {
    return inpulseDefinition;
  }
  constructor(resource: object, direction = 'both', basepath?: string, filters?: unknown) {
    super(resource, direction);
    Object.assign(
      this,
      inpulseDefinition.coerce(
        resource,
        direction,
        basepath,
        filters as SCIMMY.Types.Filter | undefined,
      ),
    );
  }
}

let declared = false;

/** Declares the resources once per process; later calls only move the base URL. */
export function declareScimSchemas(baseUrl: string): void {
  if (!declared) {
    SCIMMY.Resources.declare(SCIMMY.Resources.User, {
      extensions: [
        { schema: SCIMMY.Schemas.EnterpriseUser, required: false },
        { schema: InpulseUser as unknown as typeof SCIMMY.Types.Schema, required: false },
      ],
    });
    SCIMMY.Resources.declare(SCIMMY.Resources.Group);
    SCIMMY.Config.set({
      patch: true,
      filter: { supported: true, maxResults: MAX_COUNT },
      etag: true,
      sort: false,
      bulk: false,
      changePassword: false,
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'Bearer token',
          description:
            'An inpulse API token with the scope scim, sent as Authorization: Bearer <token>.',
          primary: true,
        },
      ],
    });
    declared = true;
  }
  const base = `${baseUrl.replace(/\/$/, '')}/scim/v2`;
  SCIMMY.Resources.User.basepath(base);
  SCIMMY.Resources.Group.basepath(base);
  SCIMMY.Resources.Schema.basepath(base);
  SCIMMY.Resources.ResourceType.basepath(base);
  SCIMMY.Resources.ServiceProviderConfig.basepath(base);
}

/** The most resources one list answer holds (`count` above it is lowered to it). */
export const MAX_COUNT = 200;
