from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "antq.registry"
    label = "registry"
    verbose_name = "Sổ đăng ký địa bàn và đơn vị"
