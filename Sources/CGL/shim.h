#ifndef SCENEFARM_CGL_SHIM_H
#define SCENEFARM_CGL_SHIM_H
// OpenGL 4.5 core and EGL, with prototypes, for direct calls from Swift.
// libglvnd's libOpenGL exports every core entry point, so no loader is needed.
#define GL_GLEXT_PROTOTYPES 1
#define EGL_EGLEXT_PROTOTYPES 1
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/glcorearb.h>
#endif
