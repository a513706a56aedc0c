#ifndef SCENEFARM_GLFW_H
#define SCENEFARM_GLFW_H
// GLFW 3.3 for the preview window, loaded at run time with dlopen instead of linked.
//
// Why not link: only `scenefarm preview` opens a window, but every command lives in one binary, and
// the farm's worker image carries no X11 or GLFW libraries (scripts/check_cluster.sh checks the
// image's packages against the libraries the binary needs). Loading libglfw.so.3 on first use keeps
// the binary's link list as it was, and a machine without GLFW gets a clear message, not a loader error.
//
// The table's entries are declared with the types of GLFW's own prototypes (__typeof__), so the
// compiler checks every signature against the installed header; call GLFW only through the table.
#include <stddef.h>
#define GLFW_INCLUDE_NONE 1
#include <GLFW/glfw3.h>

#define SCENEFARM_GLFW_ENTRY(name) __typeof__(name) *_Nonnull name

/// Every GLFW entry point the preview uses; all non-null once loaded.
struct scenefarm_glfw_api {
    SCENEFARM_GLFW_ENTRY(glfwInit);
    SCENEFARM_GLFW_ENTRY(glfwTerminate);
    SCENEFARM_GLFW_ENTRY(glfwGetVersionString);
    SCENEFARM_GLFW_ENTRY(glfwSetErrorCallback);
    SCENEFARM_GLFW_ENTRY(glfwDefaultWindowHints);
    SCENEFARM_GLFW_ENTRY(glfwWindowHint);
    SCENEFARM_GLFW_ENTRY(glfwCreateWindow);
    SCENEFARM_GLFW_ENTRY(glfwDestroyWindow);
    SCENEFARM_GLFW_ENTRY(glfwMakeContextCurrent);
    SCENEFARM_GLFW_ENTRY(glfwSwapInterval);
    SCENEFARM_GLFW_ENTRY(glfwSwapBuffers);
    SCENEFARM_GLFW_ENTRY(glfwWindowShouldClose);
    SCENEFARM_GLFW_ENTRY(glfwSetWindowShouldClose);
    SCENEFARM_GLFW_ENTRY(glfwSetWindowTitle);
    SCENEFARM_GLFW_ENTRY(glfwGetFramebufferSize);
    SCENEFARM_GLFW_ENTRY(glfwPollEvents);
    SCENEFARM_GLFW_ENTRY(glfwWaitEventsTimeout);
    SCENEFARM_GLFW_ENTRY(glfwSetWindowUserPointer);
    SCENEFARM_GLFW_ENTRY(glfwGetWindowUserPointer);
    SCENEFARM_GLFW_ENTRY(glfwSetKeyCallback);
    SCENEFARM_GLFW_ENTRY(glfwSetMouseButtonCallback);
    SCENEFARM_GLFW_ENTRY(glfwSetScrollCallback);
    SCENEFARM_GLFW_ENTRY(glfwGetKey);
    SCENEFARM_GLFW_ENTRY(glfwGetMouseButton);
    SCENEFARM_GLFW_ENTRY(glfwGetCursorPos);
};

/// Loads libglfw.so.3 (once; later calls return the same table). Returns NULL and writes why into
/// `error` (at most `size` bytes, NUL-terminated) when the library or one of its entry points is missing.
const struct scenefarm_glfw_api *_Nullable scenefarm_glfw_load(char *_Nonnull error, size_t size);

/// The table loaded by `scenefarm_glfw_load`, or NULL before it succeeded (for GLFW's C callbacks,
/// which cannot capture it).
const struct scenefarm_glfw_api *_Nullable scenefarm_glfw_loaded(void);

#endif
