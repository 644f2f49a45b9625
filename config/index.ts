export * from './cidr';
export * from './load';
export * from './naming';
export * from './regions';
export * from './schema';
export * from './subnet-layout';
