export { redisCache } from './redis-cache.js';
export type { RedisCache, RedisCacheOptions } from './redis-cache.js';
export { redisConcurrency } from './redis-concurrency.js';
export type { RedisConcurrency, RedisConcurrencyOptions } from './redis-concurrency.js';
export type { MessageListener, PubSubConnection, RedisClient, RedisCluster, RedisConnectionOptions, RedisSubscriber } from './redis-client.js';
export { redisRate } from './redis-rate.js';
export type { RedisRate, RedisRateOptions } from './redis-rate.js';
