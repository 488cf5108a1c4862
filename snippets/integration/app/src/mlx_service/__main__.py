from mlx_service import greeting

print(greeting("docker"))
