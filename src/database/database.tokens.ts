export const DATABASE_URL = Symbol('DATABASE_URL');
export const DATABASE_REPLICA = Symbol('DATABASE_REPLICA');
