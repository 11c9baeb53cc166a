package io.hindsight.registry;

import java.io.Serializable;

/**
 * Creates a {@link SchemaRegistryClient} where it is used. Flink ships the factory with the job
 * graph and operators call {@link #create()} in {@code open()}: the client holds an HTTP client and
 * caches, which are neither serializable nor worth shipping.
 */
@FunctionalInterface
public interface SchemaRegistryClientFactory extends Serializable {
    SchemaRegistryClient create();
}
