#include "scenefarm_glfw.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct scenefarm_glfw_api api;
static const struct scenefarm_glfw_api *loaded = NULL;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const library_names[] = {"libglfw.so.3", "libglfw.3.dylib", "libglfw.so"};

const struct scenefarm_glfw_api *scenefarm_glfw_load(char *error, size_t size) {
    pthread_mutex_lock(&lock);
    if (loaded != NULL) {
        pthread_mutex_unlock(&lock);
        return loaded;
    }
    void *handle = NULL;
    for (size_t i = 0; i < sizeof library_names / sizeof library_names[0] && handle == NULL; i++) {
        handle = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (handle == NULL) {
        const char *why = dlerror();
        snprintf(error, size, "cannot load the GLFW library libglfw.so.3 (%s)", why != NULL ? why : "not found");
        pthread_mutex_unlock(&lock);
        return NULL;
    }
    const char *missing = NULL;
#define LOAD(name)                                                  \
    do {                                                            \
        void *symbol = dlsym(handle, #name);                        \
        if (symbol == NULL && missing == NULL) missing = #name;     \
        *(void **)&api.name = symbol;                               \
    } while (0)
    LOAD(glfwInit);
    LOAD(glfwTerminate);
    LOAD(glfwGetVersionString);
    LOAD(glfwSetErrorCallback);
    LOAD(glfwDefaultWindowHints);
    LOAD(glfwWindowHint);
    LOAD(glfwCreateWindow);
    LOAD(glfwDestroyWindow);
    LOAD(glfwMakeContextCurrent);
    LOAD(glfwSwapInterval);
    LOAD(glfwSwapBuffers);
    LOAD(glfwWindowShouldClose);
    LOAD(glfwSetWindowShouldClose);
    LOAD(glfwSetWindowTitle);
    LOAD(glfwGetFramebufferSize);
    LOAD(glfwPollEvents);
    LOAD(glfwWaitEventsTimeout);
    LOAD(glfwSetWindowUserPointer);
    LOAD(glfwGetWindowUserPointer);
    LOAD(glfwSetKeyCallback);
    LOAD(glfwSetMouseButtonCallback);
    LOAD(glfwSetScrollCallback);
    LOAD(glfwGetKey);
    LOAD(glfwGetMouseButton);
    LOAD(glfwGetCursorPos);
#undef LOAD
    if (missing != NULL) {
        snprintf(error, size, "the GLFW library has no %s (GLFW 3.3 or newer is required)", missing);
        dlclose(handle);
        pthread_mutex_unlock(&lock);
        return NULL;
    }
    loaded = &api;
    pthread_mutex_unlock(&lock);
    return loaded;
}

const struct scenefarm_glfw_api *scenefarm_glfw_loaded(void) {
    pthread_mutex_lock(&lock);
    const struct scenefarm_glfw_api *result = loaded;
    pthread_mutex_unlock(&lock);
    return result;
}
