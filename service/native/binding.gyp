{
  "targets": [
    {
      "target_name": "phantom_tun",
      "sources": ["src/phantom_tun.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "conditions": [
        ["OS!='linux'", { "type": "none" }]
      ]
    }
  ]
}
