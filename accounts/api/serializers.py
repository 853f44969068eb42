from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from core.api.serializers import MaskedCharField, ScopedModelSerializer
from core.masking import mask_phone

# issue 9 (badinput): no API text without a cap; a passphrase longer than this is no one's password.
PASSWORD_MAX_LENGTH = 256


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=User._meta.get_field("username").max_length)
    password = serializers.CharField(
        label=_("密码"), style={"input_type": "password"}, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH
    )

    def validate(self, attrs):
        user = authenticate(self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("用户名或密码不正确。"), code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class UserSerializer(ScopedModelSerializer):
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}, max_length=PASSWORD_MAX_LENGTH
    )
    scope_name = serializers.CharField(source="scope.name", read_only=True, default=None)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    # An account's phone is personal information like a resident's: written in full, read masked.
    phone = MaskedCharField(mask_phone, max_length=20, required=False, allow_blank=True, label=_("手机号"))

    class Meta:
        model = User
        fields = [
            "id", "username", "password", "first_name", "last_name", "email", "phone", "role", "role_display",
            "scope", "scope_name", "is_active", "last_login", "date_joined",
        ]  # fmt: skip
        read_only_fields = ["last_login", "date_joined"]

    def validate_password(self, value):
        validate_password(value, self.instance)
        return value

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("新建账号时必须设置密码。")]})
        # The raw password is not the model's value (that is its hash): keep it out of full_clean and pass it on.
        password = attrs.pop("password", None)
        attrs = super().validate(attrs)
        # The base validate() copies every writable model field back, here the stored hash: never treat it as input.
        attrs.pop("password", None)
        if password:
            attrs["password"] = password
        return attrs

    def _clean_exclusions(self, model) -> list[str]:
        return [*super()._clean_exclusions(model), "password"]
