package dev.switchboard.handlers;

import dev.switchboard.broker.ApplicationHandler;
import dev.switchboard.broker.TopicDestinations;
import dev.switchboard.push.Pusher;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An {@link ApplicationHandler} that calls a {@link MessageMapping} method and publishes what it
 * returns to its {@link SendTo} destination, through the {@link Pusher}: the same serialisation
 * and limits as any push.
 */
public final class MappedMethodHandler implements ApplicationHandler {

    private final String destination;
    private final Object target;
    private final Method method;
    private final String sendToTopic;
    private final Pusher pusher;
    private final Jsonb jsonb;
    private final Function<InboundMessage, Object>[] arguments;

    public MappedMethodHandler(MessageMappingExtension.Mapping mapping, Object target, Pusher pusher, Jsonb jsonb) {
        this.destination = mapping.destination();
        this.target = target;
        this.method = mapping.method();
        this.pusher = pusher;
        this.jsonb = jsonb;
        this.sendToTopic = TopicDestinations.topicOf(mapping.sendTo());
        if (sendToTopic == null) {
            throw new IllegalArgumentException("@SendTo(\"" + mapping.sendTo() + "\") on " + method
                    + " is not a /topic/<name> or /queue/<name> destination");
        }
        this.arguments = argumentResolvers(method);
    }

    /**
     * One handler for each method {@code mappings} found, calling it on a contextual reference of
     * its bean (so the bean's scope and interceptors apply).
     */
    public static List<ApplicationHandler> forMappings(MessageMappingExtension mappings, BeanManager beans,
            Pusher pusher, Jsonb jsonb) {
        List<ApplicationHandler> handlers = new ArrayList<>();
        for (MessageMappingExtension.Mapping mapping : mappings.mappings()) {
            Bean<?> bean = mapping.bean();
            Object target = beans.getReference(bean, bean.getBeanClass(), beans.createCreationalContext(bean));
            handlers.add(new MappedMethodHandler(mapping, target, pusher, jsonb));
        }
        return handlers;
    }

    @SuppressWarnings("unchecked")
    private Function<InboundMessage, Object>[] argumentResolvers(Method method) {
        Class<?>[] types = method.getParameterTypes();
        Function<InboundMessage, Object>[] resolvers = new Function[types.length];
        for (int i = 0; i < types.length; i++) {
            if (types[i] == String.class) {
                resolvers[i] = this::text;
            } else if (JsonValue.class.isAssignableFrom(types[i])) {
                resolvers[i] = message -> jsonb.fromJson(message.dataJson(), JsonValue.class);
            } else if (types[i] == InboundMessage.class) {
                resolvers[i] = message -> message;
            } else {
                throw new IllegalArgumentException("@MessageMapping method " + method + " has a parameter of type "
                        + types[i].getName() + "; use String, JsonValue or ApplicationHandler.InboundMessage");
            }
        }
        return resolvers;
    }

    private String text(InboundMessage message) {
        JsonValue value = jsonb.fromJson(message.dataJson(), JsonValue.class);
        return value instanceof JsonString string ? string.getString() : message.dataJson();
    }

    @Override
    public String destination() {
        return destination;
    }

    @Override
    public void handle(InboundMessage message) {
        Object[] args = new Object[arguments.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = arguments[i].apply(message);
        }
        Object result;
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("@MessageMapping(\"" + destination + "\") failed", e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + method, e);
        }
        if (result != null) {
            pusher.toTopic(sendToTopic, result);
        }
    }
}
