package dev.switchboard.handlers;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the {@link MessageMapping} methods of every managed bean while the container boots
 * (a portable extension, so it works on Weld servlet, Payara and WildFly alike).
 */
// Not final: the container injects extensions through client proxies.
public class MessageMappingExtension implements Extension {

    /** One mapped method and the bean that declares it. */
    public record Mapping(Bean<?> bean, Method method, String destination, String sendTo) {
    }

    /** Filled during bootstrap (one thread), read-only afterwards. */
    private final List<Mapping> mappings = new ArrayList<>();

    <T> void collect(@Observes ProcessManagedBean<T> event) {
        for (AnnotatedMethod<? super T> method : event.getAnnotatedBeanClass().getMethods()) {
            MessageMapping mapping = method.getAnnotation(MessageMapping.class);
            if (mapping == null) {
                continue;
            }
            SendTo sendTo = method.getAnnotation(SendTo.class);
            Method javaMethod = method.getJavaMember();
            if (!java.lang.reflect.Modifier.isPublic(javaMethod.getModifiers())) {
                event.addDefinitionError(new DeploymentException("@MessageMapping method " + javaMethod
                        + " must be public"));
                continue;
            }
            mappings.add(new Mapping(event.getBean(), javaMethod, mapping.value(),
                    sendTo == null ? "/topic/" + mapping.value() : sendTo.value()));
        }
    }

    public List<Mapping> mappings() {
        return List.copyOf(mappings);
    }
}
