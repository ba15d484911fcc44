export * from './locale';
export * from './messages';
export * from './translate';
export * from './web-messages';
