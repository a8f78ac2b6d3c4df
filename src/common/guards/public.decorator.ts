import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'inpulse:public';

/** Marks a route anyone may call: survey links, health, static pages. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
