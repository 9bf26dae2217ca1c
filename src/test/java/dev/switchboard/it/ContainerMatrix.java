package dev.switchboard.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks the tests of the shared client-side suite that also run against the WAR on every real
 * server of the container matrix ({@code mvn verify -Pcontainers}); every integration test runs
 * against the standalone jar.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(ContainerMatrix.TAG)
@interface ContainerMatrix {

    String TAG = "container-matrix";
}
