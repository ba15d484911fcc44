export * from './decisions';
export * from './lifecycle';
export * from './lifecycle-events';
export * from './messages';
export * from './reason-codes';
export * from './review-policy';
export * from './reviews.module';
export * from './reviews.service';
